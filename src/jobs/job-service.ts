import { readPause } from "./pause-state.ts";
import { Bus, type EventBus } from "../events/bus.ts";
import { PushpalsError } from "../core/errors.ts";
import { redactText, redactValue } from "../secrets/redact.ts";
import type { Store } from "../store/store.ts";
import type { JobFilter } from "../store/jobs/job-store.ts";
import { backoffDelayMs } from "./backoff.ts";
import { isFailureRetryable, isRetryable, type Failure } from "../core/failures.ts";
import { newId } from "../core/ids.ts";
import type { Job, LogLine, Transition, WorkerRecord } from "../store/jobs/job-rows.ts";
import { isTerminal } from "./states.ts";
import { transition, recordTransition, WriteContext, type TransitionEffect } from "./transition.ts";
import { loseLease } from "./lose-lease.ts";
import { DEFAULT_JOB_OPTIONS, type Claim, type CommandRecord, type EnqueueRequest, type JobServiceOptions, type LeaseRef } from "./job-service-types.ts";

export { DEFAULT_JOB_OPTIONS, type Claim, type CommandRecord, type EnqueueRequest, type JobServiceOptions, type LeaseRef };

/**
 * The job lifecycle: every mutation is one transaction that validates the state machine, checks the
 * fencing token, records history, appends events and audit entries, and only then announces them.
 */
export class JobService {
  readonly options: JobServiceOptions;
  /** Notified (with the job id) after log lines are committed; not persisted as events. */
  readonly logBus = new Bus<string>();

  constructor(
    readonly store: Store,
    readonly events: EventBus,
    options: Partial<JobServiceOptions> = {},
  ) {
    this.options = { ...DEFAULT_JOB_OPTIONS, ...options };
  }

  /** Set while a group commit runs: announcements wait for its single commit. */
  private pendingAnnouncements: (() => void)[] | null = null;

  private readonly effects: TransitionEffect[] = [];

  /** Registers a domain effect applied inside every transition's transaction (see TransitionEffect). */
  onTransition(effect: TransitionEffect): void {
    this.effects.push(effect);
  }

  private write<T>(fn: (ctx: WriteContext) => T): T {
    const ctx = new WriteContext(this.store, this.options.now(), this.effects);
    // Inside a group commit the operation already runs in its own savepoint (see `batch`).
    const result = this.pendingAnnouncements ? fn(ctx) : this.store.write(() => fn(ctx));
    this.afterCommit(() => {
      for (const event of ctx.events) this.events.publish(event);
      if (ctx.audited) for (const listener of this.auditListeners) listener();
    });
    return result;
  }

  private readonly auditListeners: (() => void)[] = [];

  /** Called after every commit that appended to the audit log (the anchor follows the log's head). */
  onAuditCommitted(listener: () => void): void {
    this.auditListeners.push(listener);
  }

  /** For other domain services (components): one recorded write with events announced after commit. */
  record<T>(fn: (ctx: WriteContext) => T): T {
    return this.write(fn);
  }

  private afterCommit(announce: () => void): void {
    if (this.pendingAnnouncements) this.pendingAnnouncements.push(announce);
    else announce();
  }

  /**
   * Group commit: runs several operations in one transaction, each atomic as a whole (one savepoint
   * per operation), so a failing one changes nothing and the others still commit. Their events are published only
   * after the one commit. Durability is the same as one transaction per operation; the cost of a
   * commit is shared.
   */
  batch(operations: (() => unknown)[]): ({ ok: true; value: unknown } | { ok: false; error: unknown })[] {
    const announcements: (() => void)[] = [];
    this.pendingAnnouncements = announcements;
    let results: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    try {
      results = this.store.write(() =>
        operations.map((operation) => {
          const mark = announcements.length;
          try {
            return { ok: true as const, value: this.store.write(operation) };
          } catch (error) {
            // This operation's savepoint rolled back: so do its announcements.
            announcements.length = mark;
            return { ok: false as const, error };
          }
        }),
      );
    } finally {
      this.pendingAnnouncements = null;
    }
    for (const announce of announcements) announce();
    return results;
  }

  enqueue(request: EnqueueRequest): { job: Job; deduped: boolean } {
    return this.write((ctx) => this.enqueueWithin(ctx, request));
  }

  /** Enqueue as part of an enclosing write (a transition effect): one transaction, events after its commit. */
  enqueueWithin(ctx: WriteContext, request: EnqueueRequest): { job: Job; deduped: boolean } {
    const input = this.options.parseInput(request.kind, request.input);
    if (request.dedupeKey) {
      const existing = this.store.findActiveJobByDedupeKey(request.dedupeKey);
      if (existing) return { job: existing, deduped: true };
    }
    const state = request.blockedReason ? "blocked" : "queued";
    const job: Job = {
      id: newId("job"),
      kind: request.kind,
      input,
      priority: request.priority ?? 0,
      dedupeKey: request.dedupeKey ?? null,
      state,
      attempt: 0,
      maxAttempts: request.maxAttempts ?? 3,
      generation: 0,
      workerId: null,
      leaseExpiresAt: null,
      runAfter: null,
      cancelRequested: false,
      blockedReason: request.blockedReason ?? null,
      progress: null,
      result: null,
      failure: null,
      logLines: 0,
      logDropped: 0,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      createdBy: request.actor,
    };
    this.store.insertJob(job);
    ctx.emit("job.created", job.id, {
      jobId: job.id,
      kind: job.kind,
      priority: job.priority,
      dedupeKey: job.dedupeKey,
      state,
      actor: request.actor,
    });
    ctx.audit(request.actor, "job.created", job.id, {
      kind: job.kind,
      input: job.input,
      priority: job.priority,
      dedupeKey: job.dedupeKey,
      maxAttempts: job.maxAttempts,
    });
    recordTransition(ctx, job, null, { to: state, actor: request.actor, reason: request.blockedReason ?? "enqueued" });
    return { job, deduped: false };
  }

  claim(workerId: string, kinds: readonly string[]): Claim | null {
    return this.write((ctx) => {
      // `pushpals pause`: nothing new starts until `resume`.
      if (readPause(this.store)) return null;
      const job = this.store.nextClaimable(kinds);
      if (!job) return null;
      const leaseExpiresAt = ctx.now + this.options.leaseMs;
      const next = transition(ctx, job, {
        to: "running",
        actor: `worker:${workerId}`,
        reason: `claimed by ${workerId} (attempt ${job.attempt + 1} of ${job.maxAttempts})`,
        // The previous attempt's failure stays in the history and audit; the job row shows the current one.
        patch: { attempt: job.attempt + 1, generation: job.generation + 1, workerId, leaseExpiresAt, runAfter: null, failure: null },
      });
      this.store.touchWorker(workerId, ctx.now);
      return { job: next, token: next.generation, leaseExpiresAt };
    });
  }

  /** Fencing: the job must still be running under this worker's claim generation. */
  private leased(ref: LeaseRef): Job {
    const job = this.mustGet(ref.jobId);
    if (job.state === "running" && job.generation === ref.token && job.workerId === ref.workerId) return job;
    throw new PushpalsError(
      "lease_lost",
      `worker ${ref.workerId} no longer holds job ${ref.jobId} (token ${ref.token}; the job is ${job.state} at generation ${job.generation})`,
      { hint: "stop working on this job; its lease expired or it was claimed again", details: { state: job.state, generation: job.generation } },
    );
  }

  /** A retried complete/fail/release whose first try committed (the response was lost) is answered, not re-applied. */
  private alreadySettled(ref: LeaseRef): Job | null {
    const job = this.mustGet(ref.jobId);
    const settled = isTerminal(job.state) || job.state === "retry_wait";
    if (settled && job.generation === ref.token && job.workerId === ref.workerId) return job;
    return null;
  }

  heartbeat(ref: LeaseRef): { leaseExpiresAt: number; cancelRequested: boolean; paused: boolean } {
    return this.write((ctx) => {
      const job = this.leased(ref);
      const leaseExpiresAt = ctx.now + this.options.leaseMs;
      this.store.updateJob({ ...job, leaseExpiresAt, updatedAt: ctx.now });
      this.store.touchWorker(ref.workerId, ctx.now);
      return { leaseExpiresAt, cancelRequested: job.cancelRequested, paused: readPause(this.store) !== null };
    });
  }

  appendLogs(ref: LeaseRef, lines: { stream: LogLine["stream"]; line: string }[]): { stored: number; dropped: number } {
    const { maxLogLinesPerJob, maxLogLineLength } = this.options;
    const result = this.write((ctx) => {
      const job = this.leased(ref);
      const clean = lines.map((l) => ({
        at: ctx.now,
        stream: l.stream,
        line: redactText(l.line.length > maxLogLineLength ? `${l.line.slice(0, maxLogLineLength)}… [line truncated]` : l.line),
      }));
      this.store.insertLogLines(job.id, job.attempt, clean);
      const total = job.logLines + clean.length;
      const excess = Math.max(0, total - maxLogLinesPerJob);
      if (excess > 0) this.store.deleteOldestLogLines(job.id, excess);
      this.store.updateJob({ ...job, logLines: total - excess, logDropped: job.logDropped + excess, updatedAt: ctx.now });
      return { stored: clean.length, dropped: excess };
    });
    this.afterCommit(() => this.logBus.publish(ref.jobId));
    return result;
  }

  progress(ref: LeaseRef, progress: unknown): void {
    this.write((ctx) => {
      const job = this.leased(ref);
      const clean = redactValue(progress);
      this.store.updateJob({ ...job, progress: clean, updatedAt: ctx.now });
      ctx.emit("job.progress", job.id, { jobId: job.id, attempt: job.attempt, progress: clean });
    });
  }

  recordCommand(ref: LeaseRef, command: CommandRecord): void {
    this.write((ctx) => {
      const job = this.leased(ref);
      ctx.audit(`worker:${ref.workerId}`, "command.ran", job.id, { attempt: job.attempt, ...command });
    });
  }

  /**
   * A record another domain keeps of the work of the worker holding the job (its tests' outcomes:
   * src/test-history): one write, fenced like the worker's own calls (`lease_lost` unless the job
   * still runs under this worker's claim generation), given the leased job.
   */
  recordUnderLease<T>(ref: LeaseRef, fn: (ctx: WriteContext, job: Job) => T): T {
    return this.write((ctx) => fn(ctx, this.leased(ref)));
  }

  complete(ref: LeaseRef, result: unknown): Job {
    return this.write((ctx) => {
      const settled = this.alreadySettled(ref);
      if (settled) return settled;
      const job = this.leased(ref);
      return transition(ctx, job, {
        to: "succeeded",
        actor: `worker:${ref.workerId}`,
        reason: "completed",
        patch: { result: redactValue(result), leaseExpiresAt: null },
      });
    });
  }

  fail(ref: LeaseRef, reported: Failure): Job {
    // Evidence comes from command output: it is redacted like the logs before it is stored anywhere.
    const failure = redactValue(reported);
    return this.write((ctx) => {
      const settled = this.alreadySettled(ref);
      if (settled) return settled;
      const job = this.leased(ref);
      const actor = `worker:${ref.workerId}`;
      const patch = { failure, leaseExpiresAt: null };
      if (job.cancelRequested || failure.class === "cancelled") {
        return transition(ctx, job, { to: "cancelled", actor, reason: `stopped on cancel: ${failure.message}`, failureClass: "cancelled", patch });
      }
      if (isFailureRetryable(failure) && job.attempt < job.maxAttempts) {
        const runAfter = ctx.now + backoffDelayMs(job.attempt, this.options.backoff, this.options.random);
        return transition(ctx, job, {
          to: "retry_wait",
          actor,
          reason: `${failure.class}: ${failure.message} (retry in ${Math.round((runAfter - ctx.now) / 1000)}s)`,
          failureClass: failure.class,
          patch: { ...patch, runAfter },
        });
      }
      return transition(ctx, job, { to: "failed", actor, reason: `${failure.class}: ${failure.message}${notRetriedNote(failure)}`, failureClass: failure.class, patch });
    });
  }

  /** Graceful stop: the job goes back to the queue and the attempt does not count. */
  release(ref: LeaseRef, reason: string): Job {
    return this.write((ctx) => {
      const settled = this.alreadySettled(ref);
      if (settled) return settled;
      const job = this.leased(ref);
      if (job.cancelRequested) {
        return transition(ctx, job, { to: "cancelled", actor: `worker:${ref.workerId}`, reason: `released while cancelling: ${reason}`, patch: { leaseExpiresAt: null } });
      }
      return transition(ctx, job, {
        to: "queued",
        actor: `worker:${ref.workerId}`,
        reason: `returned to the queue: ${reason}`,
        patch: { attempt: job.attempt - 1, workerId: null, leaseExpiresAt: null },
      });
    });
  }

  cancel(jobId: string, actor: string, reason = "cancelled on request"): Job {
    return this.write((ctx) => {
      const job = this.mustGet(jobId);
      if (isTerminal(job.state)) return job;
      if (job.state === "running") {
        if (job.cancelRequested) return job;
        const next = { ...job, cancelRequested: true, updatedAt: ctx.now };
        this.store.updateJob(next);
        ctx.emit("job.cancel_requested", job.id, { jobId: job.id, actor });
        ctx.audit(actor, "job.cancel_requested", job.id, { reason, attempt: job.attempt });
        return next;
      }
      return transition(ctx, job, { to: "cancelled", actor, reason, failureClass: "cancelled", patch: { runAfter: null } });
    });
  }

  unblock(jobId: string, actor: string, reason: string): Job {
    return this.write((ctx) => {
      const job = this.mustGet(jobId);
      if (job.state !== "blocked") {
        throw new PushpalsError("conflict", `job ${jobId} is ${job.state}, not blocked`, { hint: "only a blocked job can be unblocked" });
      }
      return transition(ctx, job, { to: "queued", actor, reason, patch: { blockedReason: null } });
    });
  }

  /**
   * The timer's work: leases that expired go back to the queue (or fail with `lease_lost` after the
   * last attempt); retries whose backoff elapsed are queued again. Returns how many jobs moved.
   */
  tick(batch = 200): number {
    return this.write((ctx) => {
      let moved = 0;
      for (const job of this.store.runningWithLeaseExpiredBefore(ctx.now, batch)) {
        moved++;
        loseLease(ctx, job, "stopped heartbeating");
      }
      for (const job of this.store.retryWaitDueBefore(ctx.now, batch)) {
        moved++;
        transition(ctx, job, { to: "queued", actor: "server", reason: "backoff elapsed", patch: { runAfter: null } });
      }
      return moved;
    });
  }

  /**
   * A worker process is known to be gone (its supervisor saw it exit): its jobs are handled as if
   * their leases had expired, at once instead of a lease later.
   */
  workerLost(workerId: string, why: string): number {
    return this.write((ctx) => {
      const jobs = this.store.runningJobsOfWorker(workerId);
      for (const job of jobs) loseLease(ctx, job, why);
      return jobs.length;
    });
  }

  /**
   * After the server was down, workers could not heartbeat: give every running job a fresh lease so
   * live workers are not punished for the outage. Dead ones still expire one lease later.
   */
  graceRunningLeases(reason: string): number {
    return this.write((ctx) => {
      const count = this.store.extendRunningLeases(ctx.now + this.options.leaseMs);
      if (count > 0) ctx.audit("server", "leases.extended", null, { count, until: ctx.now + this.options.leaseMs, reason });
      return count;
    });
  }

  registerWorker(worker: { id: string; name: string; kinds: string[]; pid: number | null }): WorkerRecord {
    return this.write((ctx) => {
      const existing = this.store.getWorker(worker.id);
      const record: WorkerRecord = { ...worker, registeredAt: existing?.registeredAt ?? ctx.now, lastSeenAt: ctx.now };
      this.store.upsertWorker(record);
      ctx.emit("worker.registered", null, { workerId: worker.id, name: worker.name, kinds: worker.kinds, pid: worker.pid });
      ctx.audit(`worker:${worker.id}`, "worker.registered", worker.id, { name: worker.name, kinds: worker.kinds, pid: worker.pid });
      return record;
    });
  }

  audit(actor: string, action: string, subject: string | null, data: unknown): void {
    this.write((ctx) => void ctx.audit(actor, action, subject, data));
  }

  get(jobId: string): { job: Job; transitions: Transition[] } {
    return { job: this.mustGet(jobId), transitions: this.store.transitions(jobId) };
  }

  list(filter: JobFilter): Job[] {
    return this.store.listJobs(filter);
  }

  logs(jobId: string, afterId: number, limit: number): LogLine[] {
    this.mustGet(jobId);
    return this.store.logLinesAfter(jobId, afterId, limit);
  }

  private mustGet(jobId: string): Job {
    const job = this.store.getJob(jobId);
    if (job) return job;
    throw new PushpalsError("not_found", `job ${jobId} does not exist`, { hint: "list jobs with `pushpals jobs`" });
  }
}

/** Said in the history when the evidence makes a failure of a retryable class final. */
function notRetriedNote(failure: Failure): string {
  const why = failure.evidence.notRetryable;
  return why !== undefined && isRetryable(failure.class) ? ` (not retried: ${why})` : "";
}
