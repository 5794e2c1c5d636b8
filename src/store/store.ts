import type { AuditEntry, AuditHead } from "../audit/chain.ts";
import type { Component } from "../components/component-types.ts";
import type { NewEvent, PushpalsEvent } from "../events/registry.ts";
import type { Job, LogLine, Transition, WorkerRecord } from "../jobs/job-types.ts";
import type { JobState } from "../jobs/states.ts";
import type { PrState, PullRequest } from "../prs/pr-types.ts";

export interface NewAuditEntry {
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  data: unknown;
}

export interface NewLogLine {
  at: number;
  stream: LogLine["stream"];
  line: string;
}

export interface JobFilter {
  state?: JobState;
  kind?: string;
  limit: number;
  /** Page by creation order: only jobs created after this job's position. */
  afterId?: string;
  /** The newest `limit` jobs (still returned oldest first) instead of the oldest. */
  newest?: boolean;
}

/**
 * The durable state of PushPals, in domain terms. The SQLite backend is the default; anything that
 * implements this (a Postgres backend for teams) can sit behind the job service unchanged.
 * Every mutation must happen inside `write`, which is one serializable transaction; a `write` inside
 * another is a nested, separately atomic unit (savepoint) of the outer one.
 */
export interface Store {
  write<T>(fn: () => T): T;
  close(): void;

  insertJob(job: Job): void;
  updateJob(job: Job): void;
  getJob(id: string): Job | null;
  findActiveJobByDedupeKey(key: string): Job | null;
  /** Best queued job of one of these kinds: highest priority, then oldest. */
  nextClaimable(kinds: readonly string[]): Job | null;
  runningWithLeaseExpiredBefore(now: number, limit: number): Job[];
  runningJobsOfWorker(workerId: string): Job[];
  /** Moves every running job's lease expiry to at least `until`; returns how many were running. */
  extendRunningLeases(until: number): number;
  retryWaitDueBefore(now: number, limit: number): Job[];
  listJobs(filter: JobFilter): Job[];
  countJobsByState(): Partial<Record<JobState, number>>;
  oldestQueuedAt(): number | null;

  insertTransition(transition: Transition): void;
  transitions(jobId: string): Transition[];

  insertLogLines(jobId: string, attempt: number, lines: NewLogLine[]): void;
  deleteOldestLogLines(jobId: string, count: number): void;
  logLinesAfter(jobId: string, afterId: number, limit: number): LogLine[];
  lastLogLines(jobId: string, count: number): LogLine[];

  appendEvent(event: NewEvent, at: number): PushpalsEvent;
  eventsAfter(seq: number, limit: number): PushpalsEvent[];
  lastEventSeq(): number;

  appendAudit(entry: NewAuditEntry): AuditEntry;
  auditAfter(seq: number, limit: number): AuditEntry[];
  auditHead(): AuditHead | null;
  auditSeqOfHash(hash: string): number | null;

  /** Small named settings the runtime keeps between runs (e.g. the last port). */
  getMeta(key: string): string | null;
  setMeta(key: string, value: string): void;

  upsertComponent(component: Component): void;
  getComponent(name: string): Component | null;
  listComponents(): Component[];
  deleteComponents(): void;

  /** Inserts a PR (its number is assigned here) and returns it with the number. */
  insertPullRequest(pr: Omit<PullRequest, "number">): PullRequest;
  updatePullRequest(pr: PullRequest): void;
  getPullRequest(number: number): PullRequest | null;
  getPullRequestByJob(jobId: string): PullRequest | null;
  /** Newest first. */
  listPullRequests(filter: { state?: PrState; limit: number }): PullRequest[];

  upsertWorker(worker: WorkerRecord): void;
  getWorker(id: string): WorkerRecord | null;
  touchWorker(id: string, at: number): void;
  listWorkers(): WorkerRecord[];
}
