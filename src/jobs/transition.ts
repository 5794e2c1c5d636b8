import type { AuditEntry } from "../store/audit/audit-chain.ts";
import { pushpalsEvents } from "../events/event-store.ts";
import { newEvent, type EventData, type EventType, type PushpalsEvent } from "../events/registry.ts";
import { redactValue } from "../secrets/redact.ts";
import type { Store } from "../store/store.ts";
import type { FailureClass } from "../core/failures.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { assertTransition } from "./states.ts";
import type { JobState } from "../core/job-states.ts";

/**
 * One write unit: collects the events a transaction appends so they are published only after the
 * transaction commits (append before broadcast; a rolled-back write is never announced).
 */
/**
 * Domain effects of a job reaching a state (a `run` job's success opens its PR), applied in the same
 * transaction as the transition, so the two are never seen apart.
 */
export type TransitionEffect = (ctx: WriteContext, job: Job, from: JobState) => void;

export class WriteContext {
  readonly events: PushpalsEvent[] = [];
  /** Whether this write appended to the audit log (its anchor then moves after the commit). */
  audited = false;

  constructor(
    readonly store: Store,
    readonly now: number,
    readonly effects: readonly TransitionEffect[] = [],
  ) {}

  emit<T extends EventType>(type: T, jobId: string | null, data: EventData<T>): void {
    this.events.push(pushpalsEvents(this.store).appendEvent(newEvent(type, jobId, redactValue(data)), this.now));
  }

  audit(actor: string, action: string, subject: string | null, data: unknown): AuditEntry {
    this.audited = true;
    return this.store.appendAudit({ at: this.now, actor, action, subject, data: redactValue(data) });
  }
}

export interface TransitionRequest {
  to: JobState;
  actor: string;
  reason: string;
  failureClass?: FailureClass;
  /** Field changes that go with the state change. */
  patch?: Partial<Job>;
}

/** Validates, stores, records in history, emits and audits one state change. */
export function transition(ctx: WriteContext, job: Job, request: TransitionRequest): Job {
  assertTransition(job.id, job.state, request.to);
  const next: Job = { ...job, ...request.patch, state: request.to, updatedAt: ctx.now };
  ctx.store.updateJob(next);
  recordTransition(ctx, next, job.state, request);
  for (const effect of ctx.effects) effect(ctx, next, job.state);
  return next;
}

export function recordTransition(ctx: WriteContext, job: Job, from: JobState | null, request: TransitionRequest): void {
  ctx.store.insertTransition({
    jobId: job.id,
    from,
    to: request.to,
    at: ctx.now,
    actor: request.actor,
    reason: request.reason,
    attempt: job.attempt,
  });
  const data = {
    jobId: job.id,
    from,
    to: request.to,
    attempt: job.attempt,
    actor: request.actor,
    reason: request.reason,
    ...(request.failureClass ? { failureClass: request.failureClass } : {}),
  };
  ctx.emit("job.transition", job.id, data);
  ctx.audit(request.actor, "job.transition", job.id, {
    from,
    to: request.to,
    attempt: job.attempt,
    generation: job.generation,
    reason: request.reason,
    ...(request.failureClass ? { failureClass: request.failureClass } : {}),
    ...(job.failure && request.to !== "running" && request.failureClass ? { failure: job.failure } : {}),
  });
}
