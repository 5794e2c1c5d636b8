import type { DispatchBase, Specialist, SpecialistPlugin } from "../../planning/specialist.ts";
import { taskBody, type Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";

/**
 * The Agent (#19): a directive no deterministic recipe covers, carried out by the built-in agent loop with
 * the configured model (`agent-run`). Available only with `[models]` configured; without, directives wait
 * with the question they always had. The task is the directive in the vision's format; its write scope is
 * the directive's (or everything the ordinary role may touch), classified at selection like any other.
 */
const spec: Specialist = {
  id: "agent",
  name: "Agent",
  version: "0.1",
  itemTypes: ["directive"],
  kinds: ["agent-run"],
  role: "codemod",
  needsModel: true,
  limits: { concurrent: 1, dispatchesPerHour: 6, dispatchesPerDay: 24 },
};

const TIME_BUDGET_SECONDS = 1_800;

function agentTask(item: WorkItem): Task {
  const notes = item.notes ? item.notes.split("\n") : [];
  return {
    goal: item.title,
    constraints: { scope: item.scope.length > 0 ? item.scope : ["**"], timeBudgetSeconds: TIME_BUDGET_SECONDS, style: null },
    risk: item.risk ?? "low",
    definitionOfDone: [
      ...notes.filter((n) => n.startsWith("Definition of done:")).map((n) => n.slice("Definition of done:".length).trim()),
      "the change is inside the write scope; the configured checks pass on the exact commit",
      "the PR says what the model did and what it cost",
    ],
    notes: [`work item ${item.id} (${item.source})`, ...notes.filter((n) => n.startsWith("Constraints:"))],
    specialist: spec.id,
    kind: "agent-run",
  };
}

function agentJob(item: WorkItem, task: Task, base: DispatchBase): unknown {
  return {
    title: item.title.slice(0, 200),
    task: taskBody(task),
    scope: task.constraints.scope,
    risk: task.risk,
    role: "codemod",
    baseBranch: base.baseBranch,
    baseCommit: base.baseCommit,
    rfcFor: null,
    rfc: typeof item.detail.rfc === "number" ? item.detail.rfc : null,
  };
}

export const agent: SpecialistPlugin = { spec, task: agentTask, jobInput: agentJob };
