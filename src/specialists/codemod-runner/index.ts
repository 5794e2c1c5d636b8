import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase, Specialist, SpecialistPlugin } from "../../planning/specialist.ts";
import { taskBody, type Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";

/**
 * The deterministic specialist: a backlog item of type `codemod` names a command and a write scope
 * (`pushpals backlog add "..." --run "<command>" --scope "src/**"`), and becomes one `run` job, one PR.
 */
const spec: Specialist = {
  id: "codemod-runner",
  name: "Codemod Runner",
  version: "1",
  itemTypes: ["codemod"],
  kinds: ["run"],
  role: "codemod",
  needsModel: false,
  limits: { concurrent: 2, dispatchesPerHour: 20, dispatchesPerDay: 100 },
};

const TIME_BUDGET_SECONDS = 900;

/**
 * An item of a known type as its task, deterministically (a model-backed planner plugs in here later
 * for what no recipe covers). A codemod item names its command and write scope.
 */
function codemodTask(item: WorkItem): Task {
  const command = typeof item.detail.command === "string" ? item.detail.command : null;
  if (!command || item.scope.length === 0) {
    throw new PushpalsError("invalid_input", `work item ${item.id} (${item.type}) names no command or write scope`, { hint: 'add it with: pushpals backlog add "..." --run "<command>" --scope "<glob>"' });
  }
  return {
    goal: item.title,
    constraints: { scope: item.scope, timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: item.risk ?? "low",
    definitionOfDone: ["the change stays inside its write scope", "the configured checks pass on the exact commit", "the ReviewAgent's gates pass; the PR merges"],
    notes: [`work item ${item.id} (${item.source})`, ...(item.notes ? [item.notes] : [])],
    specialist: spec.id,
    kind: "run",
  };
}

/** The task as a `run` job: its body in the vision's task format, the item's command and write scope. */
function codemodJob(item: WorkItem, task: Task, base: DispatchBase): unknown {
  const body = taskBody(task);
  const rfc = typeof item.detail.rfc === "number" ? item.detail.rfc : null;
  return { title: item.title.slice(0, 200), body, command: item.detail.command, scope: task.constraints.scope, risk: task.risk, rfc, baseBranch: base.baseBranch, baseCommit: base.baseCommit, commandTimeoutSeconds: task.constraints.timeBudgetSeconds };
}

export const codemodRunner: SpecialistPlugin = { spec, task: codemodTask, jobInput: codemodJob };
