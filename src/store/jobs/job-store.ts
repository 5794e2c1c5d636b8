import type { JobState } from "../../core/job-states.ts";
import type { Job, LogLine, Transition, WorkerRecord } from "./job-rows.ts";

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

/** Jobs, their state history and their log lines. */
export interface JobStore {
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
  /** The transitions of every job created at or after `at`, oldest first (one read for a whole window of history). */
  transitionsOfJobsCreatedSince(at: number): Transition[];

  insertLogLines(jobId: string, attempt: number, lines: NewLogLine[]): void;
  deleteOldestLogLines(jobId: string, count: number): void;
  logLinesAfter(jobId: string, afterId: number, limit: number): LogLine[];
  lastLogLines(jobId: string, count: number): LogLine[];
}

/** The workers that registered to claim jobs. */
export interface WorkerStore {
  upsertWorker(worker: WorkerRecord): void;
  getWorker(id: string): WorkerRecord | null;
  touchWorker(id: string, at: number): void;
  listWorkers(): WorkerRecord[];
}
