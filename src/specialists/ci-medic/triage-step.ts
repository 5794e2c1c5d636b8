import { PushpalsError } from "../../core/errors.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";

export const TRIAGE_RUNS = 3;
export const COMMAND_TIMEOUT_SECONDS = 900;

/** The red check as the item names it (filed by a branch's checks). */
export function redCheck(item: WorkItem): { check: string; command: string; branch: string; lastRedCommit: string } {
  const { check, command, branch, lastRedCommit } = item.detail;
  if (typeof check !== "string" || typeof command !== "string" || typeof lastRedCommit !== "string" || typeof branch !== "string") {
    throw new PushpalsError("invalid_input", `work item ${item.id} names no check, command, branch or red commit`, { hint: "it is filed by a branch's checks; run `pushpals check` on the branch again" });
  }
  return { check, command, branch, lastRedCommit };
}

export function triageTask(item: WorkItem, specialist: string): Task {
  const { check, command, branch, lastRedCommit } = redCheck(item);
  return {
    goal: `tell whether ${check} on ${branch} is broken, flaky or the machine's trouble, with evidence`,
    constraints: { scope: [], timeBudgetSeconds: TRIAGE_RUNS * COMMAND_TIMEOUT_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [`\`${command}\` rerun ${TRIAGE_RUNS} times, each in a fresh checkout of ${lastRedCommit.slice(0, 12)}`, "a verdict with every run's exit code, duration, failed tests and log excerpt", "nothing in the repository changed"],
    notes: [`work item ${item.id} (${item.source})`, `first red commit ${String(item.detail.firstRedCommit).slice(0, 12)}`],
    specialist,
    kind: "triage",
  };
}

/** The check as the red run ran it; the triage runs it only as the config committed at the commit has it (its report path too). */
export function triageInput(item: WorkItem): unknown {
  const { check, command, branch, lastRedCommit } = redCheck(item);
  return { commit: lastRedCommit, branch, check: { name: check, run: command }, runs: TRIAGE_RUNS, commandTimeoutSeconds: COMMAND_TIMEOUT_SECONDS };
}
