import { PushpalsError } from "../../core/errors.ts";
import type { DispatchBase, Specialist, SpecialistPlugin, TaskSuccess } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { triageVerdictOf } from "./triage-outcome.ts";

const RUNS = 3;
const COMMAND_TIMEOUT_SECONDS = 900;

/**
 * The CI Medic, first slice (issue #17): a failing build is triaged, never guessed at. Its check is
 * rerun in fresh checkouts of the red commit and called broken, flaky or infrastructure with the
 * runs as evidence; the fixes (a fixer's PR, a revert of the culprit, a quarantine) come next.
 */
const spec: Specialist = {
  id: "ci-medic",
  name: "CI Medic",
  version: "0.1",
  itemTypes: ["red_check"],
  kinds: ["triage"],
  role: "ci_medic",
  needsModel: false,
  limits: { concurrent: 1, dispatchesPerHour: 6, dispatchesPerDay: 24 },
};

function triageTask(item: WorkItem): Task {
  const { check, command, branch, lastRedCommit } = item.detail;
  if (typeof check !== "string" || typeof command !== "string" || typeof lastRedCommit !== "string") {
    throw new PushpalsError("invalid_input", `work item ${item.id} names no check, command or red commit to triage`, { hint: "it is filed by a branch's checks; run `pushpals check` on the branch again" });
  }
  return {
    goal: `tell whether ${check} on ${String(branch)} is broken, flaky or the machine's trouble, with evidence`,
    constraints: { scope: [], timeBudgetSeconds: RUNS * COMMAND_TIMEOUT_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [`\`${command}\` rerun ${RUNS} times, each in a fresh checkout of ${lastRedCommit.slice(0, 12)}`, "a verdict with every run's exit code, duration and log excerpt", "nothing in the repository changed"],
    notes: [`work item ${item.id} (${item.source})`, `first red commit ${String(item.detail.firstRedCommit).slice(0, 12)}`],
    specialist: spec.id,
    kind: "triage",
  };
}

function triageJob(item: WorkItem, _task: Task, _base: DispatchBase): unknown {
  const { check, command, branch, lastRedCommit } = item.detail as { check: string; command: string; branch: string; lastRedCommit: string };
  return { commit: lastRedCommit, branch, check: { name: check, run: command }, runs: RUNS, commandTimeoutSeconds: COMMAND_TIMEOUT_SECONDS };
}

function triageDone(item: WorkItem, result: unknown): TaskSuccess {
  return triageVerdictOf(item, result);
}

export const ciMedic: SpecialistPlugin = { spec, task: triageTask, jobInput: triageJob, onSuccess: triageDone };
