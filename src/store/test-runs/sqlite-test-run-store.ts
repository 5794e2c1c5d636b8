import type { SqliteConnection } from "../sqlite-connection.ts";
import type { Row } from "../sqlite-rows.ts";
import type { TestKey, TestRunRow, TestRunStatus } from "./test-run-rows.ts";
import type { TestRunStore } from "./test-run-store.ts";

const COLUMNS = "job_id, attempt, run_key, commit_sha, branch, check_name, test_id, status, duration_ms, message, quarantined, recorded_at";

function toRow(r: Row): TestRunRow {
  return {
    jobId: r.job_id as string,
    attempt: r.attempt as number,
    runKey: r.run_key as string,
    commit: r.commit_sha as string,
    branch: (r.branch as string | null) ?? null,
    check: r.check_name as string,
    testId: r.test_id as string,
    status: r.status as TestRunStatus,
    durationMs: (r.duration_ms as number | null) ?? null,
    message: (r.message as string | null) ?? null,
    quarantined: r.quarantined === 1,
    recordedAt: r.recorded_at as number,
  };
}

/**
 * `test_runs` holds the rows; `test_series` counts each test's kept rows (an upper bound: the age
 * prune does not recount), so the trim to `keep` runs only when a series is a quarter over it.
 */
export function sqliteTestRunStore(sqlite: SqliteConnection): TestRunStore {
  const trim = (key: TestKey, keep: number) => {
    const cut = sqlite
      .q("SELECT id FROM test_runs WHERE check_name = ? AND test_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?")
      .get(key.check, key.testId, keep - 1) as { id: number } | null;
    if (cut) sqlite.q("DELETE FROM test_runs WHERE check_name = ? AND test_id = ? AND id < ?").run(key.check, key.testId, cut.id);
    sqlite
      .q("UPDATE test_series SET kept = (SELECT COUNT(*) FROM test_runs WHERE check_name = ?1 AND test_id = ?2) WHERE check_name = ?1 AND test_id = ?2")
      .run(key.check, key.testId);
  };
  return {
    insertTestRuns(rows: readonly TestRunRow[], keep: number): number {
      const slack = Math.max(1, Math.floor(keep / 4));
      let inserted = 0;
      for (const r of rows) {
        const { changes } = sqlite
          .q(`INSERT OR IGNORE INTO test_runs (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(r.jobId, r.attempt, r.runKey, r.commit, r.branch, r.check, r.testId, r.status, r.durationMs, r.message, r.quarantined ? 1 : 0, r.recordedAt);
        if (changes === 0) continue;
        inserted++;
        const series = sqlite
          .q(
            `INSERT INTO test_series (check_name, test_id, kept, last_seen) VALUES (?, ?, 1, ?)
             ON CONFLICT (check_name, test_id) DO UPDATE SET kept = kept + 1, last_seen = max(last_seen, excluded.last_seen)
             RETURNING kept`,
          )
          .get(r.check, r.testId, r.recordedAt) as { kept: number };
        if (series.kept > keep + slack) trim({ check: r.check, testId: r.testId }, keep);
      }
      return inserted;
    },

    testRunHistory(key: TestKey, limit: number): TestRunRow[] {
      const rows = sqlite
        .q(`SELECT ${COLUMNS} FROM test_runs WHERE check_name = ? AND test_id = ? ORDER BY id DESC LIMIT ?`)
        .all(key.check, key.testId, limit) as Row[];
      return rows.reverse().map(toRow);
    },

    failedTestsOfJob(jobId: string, check: string, limit: number): string[] | null {
      const any = sqlite.q("SELECT 1 FROM test_runs WHERE job_id = ? AND check_name = ? LIMIT 1").get(jobId, check);
      if (!any) return null;
      const rows = sqlite
        .q("SELECT DISTINCT test_id FROM test_runs WHERE job_id = ? AND check_name = ? AND status IN ('failed', 'errored') ORDER BY test_id LIMIT ?")
        .all(jobId, check, limit) as { test_id: string }[];
      return rows.map((r) => r.test_id);
    },

    failingTests(filter: { check?: string; flakyOnly?: boolean; limit: number }): TestKey[] {
      const where = ["f.status IN ('failed', 'errored')"];
      if (filter.check !== undefined) where.push("f.check_name = $check");
      // A pass of the same test on the same commit (the history index narrows it to the test's own runs).
      if (filter.flakyOnly) where.push("EXISTS (SELECT 1 FROM test_runs p WHERE p.check_name = f.check_name AND p.test_id = f.test_id AND p.commit_sha = f.commit_sha AND p.status = 'passed')");
      const params = filter.check === undefined ? { limit: filter.limit } : { limit: filter.limit, check: filter.check };
      const rows = sqlite
        .q(`SELECT f.check_name, f.test_id, max(f.id) AS last FROM test_runs f WHERE ${where.join(" AND ")} GROUP BY f.check_name, f.test_id ORDER BY last DESC LIMIT $limit`)
        .all(params) as Row[];
      return rows.map((r) => ({ check: r.check_name as string, testId: r.test_id as string }));
    },

    pruneTestRuns(before: number, limit: number): number {
      const { changes } = sqlite.q("DELETE FROM test_runs WHERE id IN (SELECT id FROM test_runs WHERE recorded_at < ? LIMIT ?)").run(before, limit);
      sqlite.q("DELETE FROM test_series WHERE last_seen < ?").run(before);
      return changes;
    },
  };
}
