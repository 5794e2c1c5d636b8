import { PushpalsError } from "../core/errors.ts";
import { DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.ts";
import { z } from "zod";
import { Job } from "../store/jobs/job-rows.ts";

export interface JobServiceOptions {
  leaseMs: number;
  backoff: BackoffPolicy;
  maxLogLinesPerJob: number;
  maxLogLineLength: number;
  now: () => number;
  random: () => number;
  /** Validates a job's input for its kind (the kind registry's `parseJobInput`): returns it parsed, or throws `invalid_input`. */
  parseInput: (kind: string, input: unknown) => unknown;
}

export const DEFAULT_JOB_OPTIONS: JobServiceOptions = {
  leaseMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  maxLogLinesPerJob: 20_000,
  maxLogLineLength: 8_192,
  now: Date.now,
  random: Math.random,
  parseInput: (kind) => {
    throw new PushpalsError("internal", `no job kinds are registered with this job service (enqueue of "${kind}")`, { hint: "construct JobService with parseInput from src/kinds/registry.ts" });
  },
};

export interface EnqueueRequest {
  kind: string;
  input?: unknown;
  priority?: number;
  dedupeKey?: string | null;
  maxAttempts?: number;
  actor: string;
  /** Enqueue straight into `blocked` (waiting on a human or a missing capability). */
  blockedReason?: string;
}

export interface LeaseRef {
  jobId: string;
  workerId: string;
  token: number;
}

export const Claim = z.object({ job: Job, token: z.number().int(), leaseExpiresAt: z.number().int() });
export type Claim = z.infer<typeof Claim>;

export interface CommandRecord {
  command: string;
  exitCode: number | null;
  durationMs: number;
  signal?: string | null;
}
