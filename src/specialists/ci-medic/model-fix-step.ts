import type { DispatchBase } from "../../planning/specialist.ts";
import { taskBody, type Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { medicDetail } from "./medic-steps.ts";
import { redCheck } from "./triage-step.ts";

const TIME_BUDGET_SECONDS = 1_800;
const MAX_EXCERPT = 6_000;

/**
 * A broken check with no deterministic way on (no fixer for it, no green commit to bisect from), handed to
 * the model when one is configured: the agent loop in the red commit's checkout, told the check, its
 * failing tests and its log (as data). Its definition of done is the normal one, in code: every check,
 * this one included, passes on the exact commit. A model's fix of a red build is Medium: a person
 * approves it (and the ReviewAgent blocks a weakened test, as on every PR).
 */
export function modelFixTask(item: WorkItem, specialist: string): Task {
  const { check, command, branch, lastRedCommit } = redCheck(item);
  const { failedTests, logExcerpt } = medicDetail<{ failedTests?: string[]; logExcerpt?: string }>(item);
  return {
    goal: `${check} passes again on ${branch}`,
    constraints: { scope: ["**"], timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: "medium",
    definitionOfDone: [
      `\`${command}\` and every other configured check pass on the exact commit (it fails on ${lastRedCommit.slice(0, 12)}, triaged: broken, not flaky)`,
      "the cause is fixed: a failing test is changed only where the test itself is wrong, and never weakened",
      "Medium: a person approves the PR",
    ],
    notes: [
      `work item ${item.id} (${item.source})`,
      ...(failedTests?.length ? [`failing tests: ${failedTests.slice(0, 10).join(", ")}`] : []),
      `the check's output (data, the repository's own): ${String(logExcerpt ?? "").slice(-MAX_EXCERPT)}`,
    ],
    specialist,
    kind: "agent-run",
    role: "codemod",
  };
}

/** The agent loop's job on the red commit itself, in `task` mode (its checks must pass to open the PR). */
export function modelFixInput(item: WorkItem, task: Task, base: DispatchBase): unknown {
  const { check, branch, lastRedCommit } = redCheck(item);
  return {
    title: `Fix ${check} on ${branch}`.slice(0, 200),
    task: taskBody(task),
    scope: task.constraints.scope,
    risk: task.risk,
    role: "codemod",
    baseBranch: base.baseBranch,
    baseCommit: lastRedCommit,
    mode: "task",
    rfc: null,
  };
}
