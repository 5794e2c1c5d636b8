import { z } from "zod";
import { Failure } from "../../core/failures.ts";
import { JobState } from "../../core/job-states.ts";

export const Job = z.object({
  id: z.string(),
  kind: z.string(),
  input: z.unknown(),
  priority: z.number().int(),
  dedupeKey: z.string().nullable(),
  state: JobState,
  attempt: z.number().int(),
  maxAttempts: z.number().int(),
  /** Fencing token: bumped on every claim; a worker's mutation must carry the current one. */
  generation: z.number().int(),
  workerId: z.string().nullable(),
  leaseExpiresAt: z.number().int().nullable(),
  runAfter: z.number().int().nullable(),
  cancelRequested: z.boolean(),
  blockedReason: z.string().nullable(),
  progress: z.unknown().nullable(),
  result: z.unknown().nullable(),
  failure: Failure.nullable(),
  logLines: z.number().int(),
  logDropped: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  createdBy: z.string(),
});
export type Job = z.infer<typeof Job>;

export const Transition = z.object({
  jobId: z.string(),
  from: JobState.nullable(),
  to: JobState,
  at: z.number().int(),
  actor: z.string(),
  reason: z.string(),
  attempt: z.number().int(),
});
export type Transition = z.infer<typeof Transition>;

export const LogLine = z.object({
  id: z.number().int(),
  jobId: z.string(),
  attempt: z.number().int(),
  at: z.number().int(),
  stream: z.enum(["stdout", "stderr", "system"]),
  line: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export const WorkerRecord = z.object({
  id: z.string(),
  name: z.string(),
  kinds: z.array(z.string()),
  pid: z.number().int().nullable(),
  registeredAt: z.number().int(),
  lastSeenAt: z.number().int(),
});
export type WorkerRecord = z.infer<typeof WorkerRecord>;
