import type { DispatchBase } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { medicDetail } from "./medic-steps.ts";
import { COMMAND_TIMEOUT_SECONDS, redCheck } from "./triage-step.ts";

/** A fixer's change is an ordinary one (the files a linter rewrites), judged as a person's run would be. */
const FIX_ROLE = "codemod";

export function fixTask(item: WorkItem, specialist: string): Task {
  const { check, branch } = redCheck(item);
  return {
    goal: `${check} passes again on ${branch}, fixed by the repository's own fixer`,
    constraints: { scope: ["**"], timeBudgetSeconds: 2 * COMMAND_TIMEOUT_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [
      `the fixer of ${check} (its fix script, or its linter's or formatter's fix mode) run in the sandbox, scoped to the files the failure names`,
      "Low only when just those files change; the check passes on the exact commit",
      "no fixer, or a fixer that changes nothing: a person (the item is then bisected when a green commit is known)",
    ],
    notes: [`work item ${item.id} (${item.source})`],
    specialist,
    kind: "ci-fix",
    role: FIX_ROLE,
  };
}

/** The handler plans the fixer and the files itself from the committed files and the failure's output. */
export function fixInput(item: WorkItem, base: DispatchBase): unknown {
  const { check, command, lastRedCommit } = redCheck(item);
  const { logExcerpt } = medicDetail<{ logExcerpt?: string }>(item);
  return {
    baseBranch: base.baseBranch,
    baseCommit: lastRedCommit,
    check: { name: check, run: command },
    fixer: null,
    failureExcerpt: String(logExcerpt ?? "").slice(-8000),
    role: FIX_ROLE,
    risk: "low",
  };
}
