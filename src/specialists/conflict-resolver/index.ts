import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase, Specialist, SpecialistPlugin, TaskSuccess } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { resolutionOutcome } from "./resolution-outcome.ts";

/**
 * The Conflict Resolver (issue #18): a PR that no longer merges onto its base (a `pr_conflict` follow-up)
 * gets its base merged in and each conflicted file resolved by a deterministic strategy (lockfile, JSON
 * manifest, changelog, a resolution rerere recorded before), checked on the exact commit, as the PR's
 * new head; a conflict no strategy resolves goes to a person with its hunks. No model.
 */
const spec: Specialist = {
  id: "conflict-resolver",
  name: "Conflict Resolver",
  version: "1",
  itemTypes: ["pr_conflict"],
  kinds: ["resolve-conflict"],
  role: "conflict_resolver",
  needsModel: false,
  limits: { concurrent: 2, dispatchesPerHour: 12, dispatchesPerDay: 60 },
};

const TIME_BUDGET_SECONDS = 1_800;

function prOf(item: WorkItem): { pr: number; headSha: string } {
  const { pr, headSha } = item.detail;
  if (typeof pr !== "number" || typeof headSha !== "string") throw new PushpalsError("invalid_input", `work item ${item.id} names no PR and head to resolve`, { hint: "it is filed by the server's sweep of open PRs" });
  return { pr, headSha };
}

function resolveTask(item: WorkItem): Task {
  const { pr, headSha } = prOf(item);
  return {
    goal: `PR #${pr} merges onto its base again, nothing of either side lost`,
    constraints: { scope: [], timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [
      `the base merged into ${headSha.slice(0, 12)}, every conflicted file resolved by its strategy and listed in the PR`,
      "a regenerated lockfile passes a frozen install; the configured checks pass on the exact resolved commit",
      "the PR's new head is reviewed again (approvals of the old head no longer count); the old head stays kept",
      "a conflict no strategy resolves goes to a person with its hunks, and nothing moves",
    ],
    notes: [`work item ${item.id} (${item.source})`],
    specialist: spec.id,
    kind: "resolve-conflict",
  };
}

function resolveJob(item: WorkItem, _task: Task, base: DispatchBase): unknown {
  const { pr, headSha } = prOf(item);
  return { prNumber: pr, headSha, baseBranch: base.baseBranch, baseCommit: base.baseCommit };
}

function resolveDone(item: WorkItem, result: unknown): TaskSuccess {
  return resolutionOutcome(item, result);
}

export const conflictResolver: SpecialistPlugin = { spec, task: resolveTask, jobInput: resolveJob, onSuccess: resolveDone };
