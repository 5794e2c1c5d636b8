import type { JobState } from "../../core/job-states.ts";
import type { SqliteConnection } from "../sqlite-connection.ts";
import type { Row } from "../sqlite-rows.ts";
import type { Job, LogLine, Transition } from "./job-rows.ts";
import type { JobFilter, JobStore, NewLogLine } from "./job-store.ts";
import { IMMUTABLE_JOB_COLUMNS, JOB_COLUMNS, jobParams, toJob, toLogLine, toTransition } from "./sqlite-job-rows.ts";

export function sqliteJobStore(sqlite: SqliteConnection): JobStore {
  return {
    insertJob(job: Job): void {
      sqlite.q(`INSERT INTO jobs (${JOB_COLUMNS.join(", ")}) VALUES (${JOB_COLUMNS.map((c) => `$${c}`).join(", ")})`).run(jobParams(job));
    },

    updateJob(job: Job): void {
      // id, kind, input and creation fields never change after insert.
      const sets = JOB_COLUMNS.filter((c) => !IMMUTABLE_JOB_COLUMNS.has(c)).map((c) => `${c} = $${c}`);
      const { created_at: _c, created_by: _b, kind: _k, input: _i, ...params } = jobParams(job);
      sqlite.q(`UPDATE jobs SET ${sets.join(", ")} WHERE id = $id`).run(params);
    },

    getJob(id: string): Job | null {
      const row = sqlite.q("SELECT * FROM jobs WHERE id = ?").get(id) as Row | null;
      return row ? toJob(row) : null;
    },

    findActiveJobByDedupeKey(key: string): Job | null {
      const row = sqlite
        .q("SELECT * FROM jobs WHERE dedupe_key = ? AND state IN ('queued', 'running', 'retry_wait', 'blocked')")
        .get(key) as Row | null;
      return row ? toJob(row) : null;
    },

    nextClaimable(kinds: readonly string[]): Job | null {
      const row = sqlite
        .q("SELECT * FROM jobs WHERE state = 'queued' AND kind IN (SELECT value FROM json_each(?)) ORDER BY priority DESC, seq LIMIT 1")
        .get(JSON.stringify(kinds)) as Row | null;
      return row ? toJob(row) : null;
    },

    runningWithLeaseExpiredBefore(now: number, limit: number): Job[] {
      return (
        sqlite.q("SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?").all(now, limit) as Row[]
      ).map(toJob);
    },

    runningJobsOfWorker(workerId: string): Job[] {
      return (sqlite.q("SELECT * FROM jobs WHERE state = 'running' AND worker_id = ? ORDER BY seq").all(workerId) as Row[]).map(toJob);
    },

    extendRunningLeases(until: number): number {
      return sqlite.q("UPDATE jobs SET lease_expires_at = max(lease_expires_at, ?1) WHERE state = 'running'").run(until).changes;
    },

    retryWaitDueBefore(now: number, limit: number): Job[] {
      return (sqlite.q("SELECT * FROM jobs WHERE state = 'retry_wait' AND run_after <= ? ORDER BY run_after LIMIT ?").all(now, limit) as Row[]).map(
        toJob,
      );
    },

    listJobs(filter: JobFilter): Job[] {
      const where: string[] = [];
      const params: Record<string, string | number> = { limit: filter.limit };
      if (filter.state) {
        where.push("state = $state");
        params.state = filter.state;
      }
      if (filter.kind) {
        where.push("kind = $kind");
        params.kind = filter.kind;
      }
      if (filter.afterId) {
        where.push("seq > coalesce((SELECT seq FROM jobs WHERE id = $afterId), 0)");
        params.afterId = filter.afterId;
      }
      const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq ${filter.newest ? "DESC" : ""} LIMIT $limit`;
      const jobs = (sqlite.q(sql).all(params) as Row[]).map(toJob);
      return filter.newest ? jobs.reverse() : jobs;
    },

    countJobsByState(): Partial<Record<JobState, number>> {
      const rows = sqlite.q("SELECT state, count(*) AS n FROM jobs GROUP BY state").all() as { state: JobState; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },

    oldestQueuedAt(): number | null {
      const row = sqlite.q("SELECT min(created_at) AS at FROM jobs WHERE state = 'queued'").get() as { at: number | null };
      return row.at;
    },

    insertTransition(t: Transition): void {
      sqlite
        .q("INSERT INTO job_transitions (job_id, from_state, to_state, at, actor, reason, attempt) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .run(t.jobId, t.from, t.to, t.at, t.actor, t.reason, t.attempt);
    },

    transitions(jobId: string): Transition[] {
      return (sqlite.q("SELECT * FROM job_transitions WHERE job_id = ? ORDER BY id").all(jobId) as Row[]).map(toTransition);
    },

    transitionsOfJobsCreatedSince(at: number): Transition[] {
      return (
        sqlite.q("SELECT t.* FROM job_transitions t JOIN jobs j ON j.id = t.job_id WHERE j.created_at >= ? ORDER BY t.id").all(at) as Row[]
      ).map(toTransition);
    },

    insertLogLines(jobId: string, attempt: number, lines: NewLogLine[]): void {
      const insert = sqlite.q("INSERT INTO job_logs (job_id, attempt, at, stream, line) VALUES (?, ?, ?, ?, ?)");
      for (const line of lines) insert.run(jobId, attempt, line.at, line.stream, line.line);
    },

    deleteOldestLogLines(jobId: string, count: number): void {
      sqlite.q("DELETE FROM job_logs WHERE id IN (SELECT id FROM job_logs WHERE job_id = ? ORDER BY id LIMIT ?)").run(jobId, count);
    },

    logLinesAfter(jobId: string, afterId: number, limit: number): LogLine[] {
      return (sqlite.q("SELECT * FROM job_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?").all(jobId, afterId, limit) as Row[]).map(toLogLine);
    },

    lastLogLines(jobId: string, count: number): LogLine[] {
      return (sqlite.q("SELECT * FROM job_logs WHERE job_id = ? ORDER BY id DESC LIMIT ?").all(jobId, count) as Row[]).map(toLogLine).reverse();
    },
  };
}
