import type { Database } from "bun:sqlite";
import { PushpalsError } from "../core/errors.ts";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Numbered, append-only. Never edit a shipped migration: add the next number. */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: "jobs, transitions, logs, events, audit, workers",
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        input TEXT NOT NULL,
        priority INTEGER NOT NULL,
        dedupe_key TEXT,
        state TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        worker_id TEXT,
        lease_expires_at INTEGER,
        run_after INTEGER,
        cancel_requested INTEGER NOT NULL,
        blocked_reason TEXT,
        progress TEXT,
        result TEXT,
        failure TEXT,
        log_lines INTEGER NOT NULL,
        log_dropped INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
      ) STRICT;
      -- Only queued jobs: a finished job never rewrites the claim index.
      CREATE INDEX jobs_claim ON jobs (priority DESC, seq) WHERE state = 'queued';
      CREATE UNIQUE INDEX jobs_dedupe_active ON jobs (dedupe_key)
        WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running', 'retry_wait', 'blocked');
      CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE state = 'running';
      CREATE INDEX jobs_retry ON jobs (run_after) WHERE state = 'retry_wait';

      CREATE TABLE job_transitions (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        reason TEXT NOT NULL,
        attempt INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX job_transitions_job ON job_transitions (job_id, id);

      CREATE TABLE job_logs (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at INTEGER NOT NULL,
        stream TEXT NOT NULL,
        line TEXT NOT NULL
      ) STRICT;
      CREATE INDEX job_logs_job ON job_logs (job_id, id);

      -- seq is the SSE id: rows are never deleted, so rowids only grow (no AUTOINCREMENT page to write).
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        type TEXT NOT NULL,
        job_id TEXT,
        at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;

      CREATE TABLE workers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kinds TEXT NOT NULL,
        pid INTEGER,
        registered_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: "components: the supervised processes and their health",
    sql: `
      CREATE TABLE components (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        pid INTEGER,
        state TEXT NOT NULL,
        worker_id TEXT,
        started_at INTEGER NOT NULL,
        ready_at INTEGER,
        last_heartbeat_at INTEGER,
        restarts INTEGER NOT NULL,
        last_exit TEXT
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: "pull requests of the local provider",
    sql: `
      CREATE TABLE pull_requests (
        number INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX pull_requests_state ON pull_requests (state, number);
    `,
  },
  {
    version: 4,
    name: "audit lookups by action and by subject (state checked against its audit entries)",
    sql: `
      CREATE INDEX audit_action ON audit (action, seq);
      CREATE INDEX audit_subject ON audit (subject, seq);
    `,
  },
  {
    version: 5,
    name: "work items the RemoteAgent selects from",
    sql: `
      CREATE TABLE work_items (
        id TEXT PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX work_items_state ON work_items (state, created_at);
    `,
  },
  {
    version: 6,
    name: "per-test outcome history (the CI Medic's flakiness evidence)",
    sql: `
      CREATE TABLE test_runs (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        run_key TEXT NOT NULL,
        commit_sha TEXT NOT NULL,
        branch TEXT,
        check_name TEXT NOT NULL,
        test_id TEXT NOT NULL,
        status TEXT NOT NULL,
        duration_ms INTEGER,
        message TEXT,
        quarantined INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL
      ) STRICT;
      -- A retried call records nothing twice (INSERT OR IGNORE).
      CREATE UNIQUE INDEX test_runs_once ON test_runs (job_id, attempt, run_key, test_id);
      CREATE INDEX test_runs_history ON test_runs (check_name, test_id, id);
      CREATE INDEX test_runs_failures ON test_runs (check_name, test_id, id) WHERE status IN ('failed', 'errored');
      CREATE INDEX test_runs_recorded ON test_runs (recorded_at);
      -- Each test's kept rows (an upper bound), so trimming a series to its newest runs is amortized.
      CREATE TABLE test_series (
        check_name TEXT NOT NULL,
        test_id TEXT NOT NULL,
        kept INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        PRIMARY KEY (check_name, test_id)
      ) STRICT;
      CREATE INDEX test_series_seen ON test_series (last_seen);
    `,
  },
  {
    version: 7,
    name: "model exchanges: each model-backed job's transcript and the usage it adds up to",
    sql: `
      CREATE TABLE model_exchanges (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        step INTEGER NOT NULL,
        model TEXT NOT NULL,
        sent TEXT NOT NULL,
        reply TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        duration_ms INTEGER NOT NULL,
        action TEXT NOT NULL,
        recorded_at INTEGER NOT NULL
      ) STRICT;
      -- A retried call records nothing twice (INSERT OR IGNORE); a job's transcript and sums read this.
      CREATE UNIQUE INDEX model_exchanges_once ON model_exchanges (job_id, attempt, step);
      CREATE INDEX model_exchanges_job ON model_exchanges (job_id, id);
      -- The per-day sums and the age prune.
      CREATE INDEX model_exchanges_recorded ON model_exchanges (recorded_at);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Applies pending migrations, each in its own immediate transaction; refuses a database newer than this code. */
export function migrate(db: Database, path: string, options: { checkOnly?: boolean; migrations?: Migration[] } = {}): number {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations.at(-1)?.version ?? 0;
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  if (current > latest) {
    throw new PushpalsError(
      "schema_too_new",
      `the database at ${path} has schema version ${current}, but this PushPals only knows up to ${latest}`,
      { hint: "upgrade PushPals (npm install) to the version that wrote this database; do not delete it, it holds the audit log" },
    );
  }
  if (options.checkOnly) return current;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.exec(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
  }
  return latest;
}
