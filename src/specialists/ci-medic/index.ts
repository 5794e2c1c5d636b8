import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase, Specialist, SpecialistPlugin, TaskContext, TaskSuccess } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { bisectInput, bisectOutcome, bisectTask } from "./bisect-step.ts";
import { fixInput, fixTask } from "./fix-step.ts";
import { lockfileInput, lockfileTask } from "./lockfile-step.ts";
import { modelFixInput, modelFixTask } from "./model-fix-step.ts";
import { stepOf } from "./medic-steps.ts";
import { quarantineInput, quarantineTask } from "./quarantine-step.ts";
import { revertInput, revertTask } from "./revert-step.ts";
import { triageInput, triageTask } from "./triage-step.ts";
import { triageVerdictOf } from "./triage-outcome.ts";

/**
 * The CI Medic (issue #17): a failing build is triaged, never guessed at. Its check is rerun in fresh
 * checkouts of the red commit and called broken, flaky or infrastructure with the runs as evidence; then,
 * step by step on the same item: a flaky test's quarantine PR (a person approves it), a broken lint or
 * format check's fix by the repository's own fixer, a broken check's bisection from the last green commit
 * and the culprit's revert PR; a lockfile its frozen install refuses, regenerated. The machine's trouble (a timeout, `environment`) is reported, never "fixed".
 * A quarantined test that passes often enough in a row gets its un-quarantine PR.
 */
const spec: Specialist = {
  id: "ci-medic",
  name: "CI Medic",
  version: "1",
  itemTypes: ["red_check", "quarantined_test_passing"],
  kinds: ["triage", "ci-fix", "bisect", "revert", "quarantine", "lockfile-sync", "agent-run"],
  role: "ci_medic",
  needsModel: false,
  limits: { concurrent: 1, dispatchesPerHour: 12, dispatchesPerDay: 48 },
};

/** Tasks one item may take (triage, a fix, a bisection, a PR, and a retry of each): past it, a person looks. */
export const MAX_MEDIC_TASKS = 10;

function medicTask(item: WorkItem): Task {
  if (Number(item.detail.attempt ?? 0) >= MAX_MEDIC_TASKS) {
    throw new PushpalsError("invalid_input", `the CI Medic has made ${MAX_MEDIC_TASKS} tasks for this item without settling it`, { hint: "look at its jobs (pushpals plan shows the item)" });
  }
  const step = stepOf(item);
  switch (step) {
    case "triage":
      return triageTask(item, spec.id);
    case "fix":
      return fixTask(item, spec.id);
    case "bisect":
      return bisectTask(item, spec.id);
    case "revert":
      return revertTask(item, spec.id);
    case "quarantine":
    case "unquarantine":
      return quarantineTask(item, spec.id);
    case "lockfile":
      return lockfileTask(item, spec.id);
    case "model_fix":
      return modelFixTask(item, spec.id);
  }
}

function medicJob(item: WorkItem, task: Task, base: DispatchBase): unknown {
  switch (task.kind) {
    case "triage":
      return triageInput(item);
    case "ci-fix":
      return fixInput(item, base);
    case "bisect":
      return bisectInput(item);
    case "revert":
      return revertInput(item, base);
    case "lockfile-sync":
      return lockfileInput(item, base);
    case "agent-run":
      return modelFixInput(item, task, base);
    default:
      return quarantineInput(item, base);
  }
}

/** What a job that opened no PR means: by the kind that ran (the item's step may have moved on). */
function medicDone(item: WorkItem, result: unknown, context?: TaskContext): TaskSuccess {
  const kind = (item.detail.task as { kind?: string } | undefined)?.kind;
  if (kind === "bisect") return bisectOutcome(item, result);
  if (kind === "triage") return triageVerdictOf(item, result, String(item.detail.job ?? "?"), context);
  return { done: `its ${kind ?? "job"} succeeded` };
}

export const ciMedic: SpecialistPlugin = { spec, task: medicTask, jobInput: medicJob, onSuccess: medicDone };
