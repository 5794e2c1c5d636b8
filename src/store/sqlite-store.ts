import type { Database, Statement } from "bun:sqlite";
import type { AuditEntry, AuditHead } from "../audit/chain.ts";
import type { Component } from "../components/component-types.ts";
import { entryHash, GENESIS_HASH } from "../audit/chain.ts";
import type { NewEvent, PushpalsEvent } from "../events/registry.ts";
import type { Job, LogLine, Transition, WorkerRecord } from "../jobs/job-types.ts";
import type { JobState } from "../jobs/states.ts";
import type { PrState, PullRequest } from "../prs/pr-types.ts";
import { openDatabase } from "./database.ts";
import { IMMUTABLE_JOB_COLUMNS, JOB_COLUMNS, jobParams, toAudit, toComponent, toEvent, toJob, toLogLine, toTransition, toWorker, type Row } from "./sqlite-rows.ts";
import type { JobFilter, NewAuditEntry, NewLogLine, Store } from "./store.ts";

/** SQLite backend: WAL, BEGIN IMMEDIATE for every write, prepared statements reused. */
export class SqliteStore implements Store {
  readonly db: Database;
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly path: string,
    options: { readonly?: boolean } = {},
  ) {
    this.db = openDatabase(path, options);
  }

  private q(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.query(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * One BEGIN IMMEDIATE transaction; called inside another, a savepoint (atomic on its own). The
   * statements are prepared once: on the hot path the commit itself should be the only real cost.
   */
  write<T>(fn: () => T): T {
    if (this.db.inTransaction) {
      this.q("SAVEPOINT nested").run();
      try {
        const result = fn();
        this.q("RELEASE nested").run();
        return result;
      } catch (err) {
        this.q("ROLLBACK TO nested").run();
        this.q("RELEASE nested").run();
        throw err;
      }
    }
    this.q("BEGIN IMMEDIATE").run();
    try {
      const result = fn();
      this.q("COMMIT").run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.q("ROLLBACK").run();
      throw err;
    }
  }

  close(): void {
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    this.db.close();
  }

  insertJob(job: Job): void {
    this.q(`INSERT INTO jobs (${JOB_COLUMNS.join(", ")}) VALUES (${JOB_COLUMNS.map((c) => `$${c}`).join(", ")})`).run(jobParams(job));
  }

  updateJob(job: Job): void {
    // id, kind, input and creation fields never change after insert.
    const sets = JOB_COLUMNS.filter((c) => !IMMUTABLE_JOB_COLUMNS.has(c)).map((c) => `${c} = $${c}`);
    const { created_at: _c, created_by: _b, kind: _k, input: _i, ...params } = jobParams(job);
    this.q(`UPDATE jobs SET ${sets.join(", ")} WHERE id = $id`).run(params);
  }

  getJob(id: string): Job | null {
    const row = this.q("SELECT * FROM jobs WHERE id = ?").get(id) as Row | null;
    return row ? toJob(row) : null;
  }

  findActiveJobByDedupeKey(key: string): Job | null {
    const row = this.q(
      "SELECT * FROM jobs WHERE dedupe_key = ? AND state IN ('queued', 'running', 'retry_wait', 'blocked')",
    ).get(key) as Row | null;
    return row ? toJob(row) : null;
  }

  nextClaimable(kinds: readonly string[]): Job | null {
    const row = this.q(
      "SELECT * FROM jobs WHERE state = 'queued' AND kind IN (SELECT value FROM json_each(?)) ORDER BY priority DESC, seq LIMIT 1",
    ).get(JSON.stringify(kinds)) as Row | null;
    return row ? toJob(row) : null;
  }

  runningWithLeaseExpiredBefore(now: number, limit: number): Job[] {
    return (
      this.q("SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= ? ORDER BY lease_expires_at LIMIT ?").all(now, limit) as Row[]
    ).map(toJob);
  }

  runningJobsOfWorker(workerId: string): Job[] {
    return (this.q("SELECT * FROM jobs WHERE state = 'running' AND worker_id = ? ORDER BY seq").all(workerId) as Row[]).map(toJob);
  }

  extendRunningLeases(until: number): number {
    return this.q("UPDATE jobs SET lease_expires_at = max(lease_expires_at, ?1) WHERE state = 'running'").run(until).changes;
  }

  retryWaitDueBefore(now: number, limit: number): Job[] {
    return (this.q("SELECT * FROM jobs WHERE state = 'retry_wait' AND run_after <= ? ORDER BY run_after LIMIT ?").all(now, limit) as Row[]).map(
      toJob,
    );
  }

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
    const jobs = (this.q(sql).all(params) as Row[]).map(toJob);
    return filter.newest ? jobs.reverse() : jobs;
  }

  countJobsByState(): Partial<Record<JobState, number>> {
    const rows = this.q("SELECT state, count(*) AS n FROM jobs GROUP BY state").all() as { state: JobState; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  oldestQueuedAt(): number | null {
    const row = this.q("SELECT min(created_at) AS at FROM jobs WHERE state = 'queued'").get() as { at: number | null };
    return row.at;
  }

  insertTransition(t: Transition): void {
    this.q("INSERT INTO job_transitions (job_id, from_state, to_state, at, actor, reason, attempt) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
      t.jobId,
      t.from,
      t.to,
      t.at,
      t.actor,
      t.reason,
      t.attempt,
    );
  }

  transitions(jobId: string): Transition[] {
    return (this.q("SELECT * FROM job_transitions WHERE job_id = ? ORDER BY id").all(jobId) as Row[]).map(toTransition);
  }

  insertLogLines(jobId: string, attempt: number, lines: NewLogLine[]): void {
    const insert = this.q("INSERT INTO job_logs (job_id, attempt, at, stream, line) VALUES (?, ?, ?, ?, ?)");
    for (const line of lines) insert.run(jobId, attempt, line.at, line.stream, line.line);
  }

  deleteOldestLogLines(jobId: string, count: number): void {
    this.q("DELETE FROM job_logs WHERE id IN (SELECT id FROM job_logs WHERE job_id = ? ORDER BY id LIMIT ?)").run(jobId, count);
  }

  logLinesAfter(jobId: string, afterId: number, limit: number): LogLine[] {
    return (this.q("SELECT * FROM job_logs WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?").all(jobId, afterId, limit) as Row[]).map(toLogLine);
  }

  lastLogLines(jobId: string, count: number): LogLine[] {
    return (this.q("SELECT * FROM job_logs WHERE job_id = ? ORDER BY id DESC LIMIT ?").all(jobId, count) as Row[]).map(toLogLine).reverse();
  }

  appendEvent(event: NewEvent, at: number): PushpalsEvent {
    const row = this.q("INSERT INTO events (type, job_id, at, data) VALUES (?, ?, ?, ?) RETURNING seq").get(
      event.type,
      event.jobId,
      at,
      JSON.stringify(event.data),
    ) as { seq: number };
    return { seq: row.seq, type: event.type, at, jobId: event.jobId, data: event.data };
  }

  eventsAfter(seq: number, limit: number): PushpalsEvent[] {
    return (this.q("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?").all(seq, limit) as Row[]).map(toEvent);
  }

  lastEventSeq(): number {
    const row = this.q("SELECT coalesce(max(seq), 0) AS seq FROM events").get() as { seq: number };
    return row.seq;
  }

  appendAudit(entry: NewAuditEntry): AuditEntry {
    // Chain from the recorded head, not from whatever row is last: if someone deleted the tail, the
    // next entry keeps the gap (and `verify` keeps reporting it) instead of papering over it.
    const last = this.auditHead() ?? (this.q("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as AuditHead | null);
    const seq = (last?.seq ?? 0) + 1;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const data = entry.data ?? null;
    const content = { seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, data };
    const hash = entryHash(prevHash, content);
    this.q("INSERT INTO audit (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
      seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(data),
      prevHash,
      hash,
    );
    this.q("INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
      JSON.stringify({ seq, hash }),
    );
    return { ...content, prevHash, hash };
  }

  auditAfter(seq: number, limit: number): AuditEntry[] {
    return (this.q("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?").all(seq, limit) as Row[]).map(toAudit);
  }

  auditHead(): AuditHead | null {
    const row = this.q("SELECT value FROM meta WHERE key = 'audit_head'").get() as { value: string } | null;
    return row ? (JSON.parse(row.value) as AuditHead) : null;
  }

  auditSeqOfHash(hash: string): number | null {
    const row = this.q("SELECT seq FROM audit WHERE hash = ? LIMIT 1").get(hash) as { seq: number } | null;
    return row?.seq ?? null;
  }

  getMeta(key: string): string | null {
    const row = this.q("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.write(() => this.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value));
  }

  insertPullRequest(pr: Omit<PullRequest, "number">): PullRequest {
    const row = this.q("INSERT INTO pull_requests (job_id, state, data) VALUES (?, ?, '{}') RETURNING number").get(pr.jobId, pr.state) as { number: number };
    const full = { ...pr, number: row.number } as PullRequest;
    this.updatePullRequest(full);
    return full;
  }

  updatePullRequest(pr: PullRequest): void {
    this.q("UPDATE pull_requests SET state = ?, data = ? WHERE number = ?").run(pr.state, JSON.stringify(pr), pr.number);
  }

  getPullRequest(number: number): PullRequest | null {
    const row = this.q("SELECT data FROM pull_requests WHERE number = ?").get(number) as { data: string } | null;
    return row ? (JSON.parse(row.data) as PullRequest) : null;
  }

  getPullRequestByJob(jobId: string): PullRequest | null {
    const row = this.q("SELECT data FROM pull_requests WHERE job_id = ?").get(jobId) as { data: string } | null;
    return row ? (JSON.parse(row.data) as PullRequest) : null;
  }

  listPullRequests(filter: { state?: PrState; limit: number }): PullRequest[] {
    const rows = filter.state
      ? this.q("SELECT data FROM pull_requests WHERE state = ? ORDER BY number DESC LIMIT ?").all(filter.state, filter.limit)
      : this.q("SELECT data FROM pull_requests ORDER BY number DESC LIMIT ?").all(filter.limit);
    return (rows as { data: string }[]).map((r) => JSON.parse(r.data) as PullRequest);
  }

  upsertComponent(c: Component): void {
    this.q(
      `INSERT INTO components (name, role, pid, state, worker_id, started_at, ready_at, last_heartbeat_at, restarts, last_exit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, pid = excluded.pid, state = excluded.state, worker_id = excluded.worker_id,
         started_at = excluded.started_at, ready_at = excluded.ready_at, last_heartbeat_at = excluded.last_heartbeat_at,
         restarts = excluded.restarts, last_exit = excluded.last_exit`,
    ).run(c.name, c.role, c.pid, c.state, c.workerId, c.startedAt, c.readyAt, c.lastHeartbeatAt, c.restarts, c.lastExit);
  }

  getComponent(name: string): Component | null {
    const row = this.q("SELECT * FROM components WHERE name = ?").get(name) as Row | null;
    return row ? toComponent(row) : null;
  }

  listComponents(): Component[] {
    return (this.q("SELECT * FROM components ORDER BY started_at, name").all() as Row[]).map(toComponent);
  }

  deleteComponents(): void {
    this.q("DELETE FROM components").run();
  }

  upsertWorker(worker: WorkerRecord): void {
    this.q(
      `INSERT INTO workers (id, name, kinds, pid, registered_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kinds = excluded.kinds, pid = excluded.pid, last_seen_at = excluded.last_seen_at`,
    ).run(worker.id, worker.name, JSON.stringify(worker.kinds), worker.pid, worker.registeredAt, worker.lastSeenAt);
  }

  getWorker(id: string): WorkerRecord | null {
    const row = this.q("SELECT * FROM workers WHERE id = ?").get(id) as Row | null;
    return row ? toWorker(row) : null;
  }

  touchWorker(id: string, at: number): void {
    // Last-seen is for display: at most one write per worker per second.
    this.q("UPDATE workers SET last_seen_at = ?1 WHERE id = ?2 AND last_seen_at < ?1 - 1000").run(at, id);
  }

  listWorkers(): WorkerRecord[] {
    return (this.q("SELECT * FROM workers ORDER BY registered_at").all() as Row[]).map(toWorker);
  }
}
