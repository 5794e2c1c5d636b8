import { PushpalsError } from "../core/errors.ts";
import type { JobState } from "../core/job-states.ts";

/** The job state machine. Every state change goes through `assertTransition`. */
export const TERMINAL_STATES: readonly JobState[] = ["succeeded", "failed", "cancelled"];
export const ACTIVE_STATES: readonly JobState[] = ["queued", "running", "retry_wait", "blocked"];

const ALLOWED: Record<JobState, readonly JobState[]> = {
  queued: ["running", "blocked", "cancelled"],
  // running -> queued: lease expired or the worker returned the job on a graceful stop.
  running: ["succeeded", "failed", "cancelled", "retry_wait", "queued"],
  retry_wait: ["queued", "cancelled"],
  blocked: ["queued", "cancelled"],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canTransition(from: JobState, to: JobState): boolean {
  return ALLOWED[from].includes(to);
}

export function assertTransition(jobId: string, from: JobState, to: JobState): void {
  if (canTransition(from, to)) return;
  throw new PushpalsError("illegal_transition", `job ${jobId} cannot move from ${from} to ${to}`, {
    hint: isTerminal(from)
      ? `the job already ended ${from}; enqueue a new job instead`
      : `allowed from ${from}: ${ALLOWED[from].join(", ")}`,
    details: { jobId, from, to },
  });
}

export function allowedTransitions(): Record<JobState, readonly JobState[]> {
  return ALLOWED;
}
