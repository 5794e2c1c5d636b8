import type { JobState } from "../../core/job-states.ts";
import { json, parse, type Row } from "../sqlite-rows.ts";
import type { Job, LogLine, Transition, WorkerRecord } from "./job-rows.ts";

export function toJob(row: Row): Job {
  return {
    id: row.id as string,
    kind: row.kind as string,
    input: parse(row.input),
    priority: row.priority as number,
    dedupeKey: (row.dedupe_key as string | null) ?? null,
    state: row.state as JobState,
    attempt: row.attempt as number,
    maxAttempts: row.max_attempts as number,
    generation: row.generation as number,
    workerId: (row.worker_id as string | null) ?? null,
    leaseExpiresAt: (row.lease_expires_at as number | null) ?? null,
    runAfter: (row.run_after as number | null) ?? null,
    cancelRequested: row.cancel_requested === 1,
    blockedReason: (row.blocked_reason as string | null) ?? null,
    progress: parse(row.progress),
    result: parse(row.result),
    failure: parse(row.failure) as Job["failure"],
    logLines: row.log_lines as number,
    logDropped: row.log_dropped as number,
    createdAt: row.created_at as number,
    updatedAt: row.updated_at as number,
    createdBy: row.created_by as string,
  };
}

export function jobParams(job: Job): Record<string, string | number | null> {
  return {
    id: job.id,
    kind: job.kind,
    input: JSON.stringify(job.input ?? null),
    priority: job.priority,
    dedupe_key: job.dedupeKey,
    state: job.state,
    attempt: job.attempt,
    max_attempts: job.maxAttempts,
    generation: job.generation,
    worker_id: job.workerId,
    lease_expires_at: job.leaseExpiresAt,
    run_after: job.runAfter,
    cancel_requested: job.cancelRequested ? 1 : 0,
    blocked_reason: job.blockedReason,
    progress: json(job.progress),
    result: json(job.result),
    failure: json(job.failure),
    log_lines: job.logLines,
    log_dropped: job.logDropped,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
    created_by: job.createdBy,
  };
}

export const JOB_COLUMNS = Object.keys(jobParams({ input: null } as unknown as Job));
export const IMMUTABLE_JOB_COLUMNS = new Set(["id", "kind", "input", "created_at", "created_by"]);

export function toTransition(r: Row): Transition {
  return {
    jobId: r.job_id as string,
    from: (r.from_state as JobState | null) ?? null,
    to: r.to_state as JobState,
    at: r.at as number,
    actor: r.actor as string,
    reason: r.reason as string,
    attempt: r.attempt as number,
  };
}

export function toLogLine(r: Row): LogLine {
  return {
    id: r.id as number,
    jobId: r.job_id as string,
    attempt: r.attempt as number,
    at: r.at as number,
    stream: r.stream as LogLine["stream"],
    line: r.line as string,
  };
}

export function toWorker(row: Row): WorkerRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    kinds: parse(row.kinds) as string[],
    pid: (row.pid as number | null) ?? null,
    registeredAt: row.registered_at as number,
    lastSeenAt: row.last_seen_at as number,
  };
}
