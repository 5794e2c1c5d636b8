import { PlanDirectiveResult } from "../../kinds/plan-directive/plan-directive-input.ts";
import type { Specialist, SpecialistPlugin, TaskPart } from "../../planning/specialist.ts";
import { taskBody, type Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { usd } from "../../models/budget.ts";
import { CONSTRAINTS, DONE, modelJob, modelTask } from "./model-task.ts";

/**
 * The Agent (#19): a directive no deterministic recipe covers, carried out with the configured model.
 * A directive with a write scope is a task already: the built-in agent loop carries it out (`agent-run`).
 * One without is a goal: the planner (`plan-directive`) first writes it as tasks in the vision's format,
 * each with its scope, tier and perhaps a specialist's label; they come back as items (one: this item
 * itself), each classified by the policy at its own selection. Available only with `[models]` configured;
 * without, directives wait with the question they always had. A directive labelled for another
 * specialist (refactor, performance) goes to that one, registered first.
 */
const spec: Specialist = {
  id: "agent",
  name: "Agent",
  version: "0.1",
  itemTypes: ["directive"],
  kinds: ["agent-run", "plan-directive"],
  role: "codemod",
  needsModel: true,
  limits: { concurrent: 1, dispatchesPerHour: 6, dispatchesPerDay: 24 },
};

const DOD = ["the change is inside the write scope; the configured checks pass on the exact commit", "the PR says what the model did and what it cost"];

function needsPlan(item: WorkItem): boolean {
  return item.scope.length === 0 && item.detail.planned !== true;
}

/** A planned task as an item's part: its goal, scope, label, tier, and its constraints and definition of done as a directive's notes. */
function partOf(task: PlanDirectiveResult["tasks"][number]): TaskPart {
  const notes = [task.constraints ? `${CONSTRAINTS} ${task.constraints}` : null, ...task.definition_of_done.map((d) => `${DONE} ${d}`)].filter((n): n is string => n !== null);
  return { title: task.goal, scope: task.scope, labels: task.label ? [task.label] : [], notes: notes.join("\n"), risk: task.risk, detail: { planned: true } };
}

export const agent: SpecialistPlugin = {
  spec,
  task(item) {
    const task = modelTask(item, spec, { goal: item.title, definitionOfDone: DOD });
    if (!needsPlan(item)) return task;
    return { ...task, goal: `plan: ${item.title}`, definitionOfDone: ["the directive as at most 5 tasks in the vision's format, each with its write scope and tier, for the policy to classify"], kind: "plan-directive" };
  },
  jobInput(item, task, base) {
    if (task.kind !== "plan-directive") return modelJob(item, task, base, "task", item.title);
    // The planner reads the directive as its author wrote it, not the planning task.
    const directive: Task = modelTask(item, spec, { goal: item.title, definitionOfDone: [] });
    return { title: item.title.slice(0, 300), task: taskBody(directive), risk: task.risk, baseBranch: base.baseBranch, baseCommit: base.baseCommit };
  },
  onSuccess(item, result) {
    const plan = PlanDirectiveResult.safeParse(result);
    if (!plan.success) return { done: `its task's job succeeded (${item.title.slice(0, 120)})` };
    const { tasks, model, tokens, costUsd } = plan.data;
    return { plan: tasks.map(partOf), why: `planned by ${model} (${tokens} tokens, ${usd(costUsd)})` };
  },
};
