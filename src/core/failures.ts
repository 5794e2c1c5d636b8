import { z } from "zod";

/** One failure taxonomy used everywhere: job results, events, audit, CLI exit codes. */
export const FailureClass = z.enum([
  "environment",
  "timeout",
  "lease_lost",
  "checks_failed",
  "policy_denied",
  "conflict",
  "no_change",
  "invalid_input",
  "model_error",
  "budget_exceeded",
  "loop_detected",
  "cancelled",
  "internal",
]);
export type FailureClass = z.infer<typeof FailureClass>;

export interface FailureClassInfo {
  retryable: boolean;
  meaning: string;
}

export const FAILURE_CLASSES: Record<FailureClass, FailureClassInfo> = {
  environment: { retryable: true, meaning: "a tool or machine problem (missing binary, disk full, git error)" },
  timeout: { retryable: true, meaning: "a command or the job ran past its time limit" },
  lease_lost: { retryable: false, meaning: "the worker stopped heartbeating and the job ran out of attempts" },
  checks_failed: { retryable: false, meaning: "a configured check command exited non-zero" },
  policy_denied: { retryable: false, meaning: "a policy, write scope or risk gate refused the action" },
  conflict: { retryable: false, meaning: "the change conflicts with the base branch or a concurrent update" },
  no_change: { retryable: false, meaning: "the job finished but produced nothing to ship" },
  invalid_input: { retryable: false, meaning: "the job input or repository state is not what the job needs" },
  model_error: { retryable: true, meaning: "the language model backend failed or returned unusable output" },
  budget_exceeded: { retryable: false, meaning: "a model-backed job reached a budget (wall time, tokens, cost, steps; per job or per day)" },
  loop_detected: { retryable: false, meaning: "a model-backed job repeated itself (the same command, the same diff twice) or made no progress" },
  cancelled: { retryable: false, meaning: "a person or component cancelled the job" },
  internal: { retryable: false, meaning: "a bug in PushPals itself; the evidence says where" },
};

export function isRetryable(cls: FailureClass): boolean {
  return FAILURE_CLASSES[cls].retryable;
}

/** A failure of a retryable class is still final when its evidence says a retry cannot succeed (`notRetryable`). */
export function isFailureRetryable(failure: Pick<Failure, "class" | "evidence">): boolean {
  return isRetryable(failure.class) && failure.evidence.notRetryable === undefined;
}

export const FailureEvidence = z.strictObject({
  command: z.string().max(4096).optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().max(32).nullable().optional(),
  durationMs: z.number().int().nonnegative().optional(),
  logExcerpt: z.string().max(16_384).optional(),
  /** The files the failure is about: paths a policy refused, files in conflict. */
  paths: z.array(z.string().max(4096)).max(1000).optional(),
  /**
   * Why retrying cannot help although the class is retryable (a lockfile out of sync, a version that does
   * not exist): the job fails at once, and its history says "not retried: <this>".
   */
  notRetryable: z.string().min(1).max(1024).optional(),
});
export type FailureEvidence = z.infer<typeof FailureEvidence>;

export const Failure = z.strictObject({
  class: FailureClass,
  message: z.string().min(1).max(4096),
  evidence: FailureEvidence.default({}),
});
export type Failure = z.infer<typeof Failure>;
