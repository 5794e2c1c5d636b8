import { PushpalsError } from "../../core/errors.ts";
import { commitRevertInputOf } from "../../kinds/revert/revert-commit-request.ts";
import type { DispatchBase } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import type { BisectSummary } from "./bisect-step.ts";
import { medicDetail } from "./medic-steps.ts";

/** A revert is an ordinary change (any file the culprit touched), judged as a person's `pushpals run` would be. */
const REVERT_ROLE = "codemod";

type FoundBisect = BisectSummary & { jobId: string; culprit: string };

function foundBisect(item: WorkItem): FoundBisect {
  const { bisect } = medicDetail<{ bisect?: FoundBisect }>(item);
  if (!bisect?.culprit) throw new PushpalsError("invalid_input", `work item ${item.id} names no culprit to revert`, { hint: "its bisection sets it; answer the item to triage again" });
  return bisect;
}

/** The revert PR's input, from the bisection's facts (the revert's worker checks them again with git). */
export function revertInput(item: WorkItem, base: DispatchBase): ReturnType<typeof commitRevertInputOf> {
  const bisect = foundBisect(item);
  const facts = { culprit: bisect.culprit, parents: bisect.culpritParents, paths: bisect.culpritFiles, subject: bisect.culpritSubject ?? "", author: bisect.culpritAuthor ?? "" };
  return commitRevertInputOf(facts, { culprit: bisect.culprit, bisect, baseBranch: base.baseBranch, baseCommit: base.baseCommit, risk: "medium", role: REVERT_ROLE });
}

export function revertTask(item: WorkItem, specialist: string): Task {
  const bisect = foundBisect(item);
  const scope = bisect.culpritFiles.length > 0 ? bisect.culpritFiles : ["**"];
  return {
    goal: `${bisect.check} passes again on ${String(item.detail.branch)}: the commit that broke it is reverted`,
    constraints: { scope, timeBudgetSeconds: 1_800, style: null },
    risk: "medium",
    definitionOfDone: [
      `\`git revert ${bisect.culprit.slice(0, 12)}\` on the branch's head, as a PR with the bisection's steps as evidence`,
      `${bisect.check} and every other configured check pass on the exact revert commit`,
      "a person approves it (Medium): undoing someone's commit is their call",
    ],
    notes: [`work item ${item.id} (${item.source})`, `bisect job ${bisect.jobId}`],
    specialist,
    kind: "revert",
    role: REVERT_ROLE,
  };
}
