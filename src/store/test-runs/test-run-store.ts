import type { TestKey, TestRunRow } from "./test-run-rows.ts";

/**
 * Per-test outcome history (the CI Medic's flakiness evidence, issue #17). Growth is bounded two
 * ways: each test keeps about its newest `keep` runs (`insertTestRuns`), and `pruneTestRuns` drops
 * runs older than a cut-off (tests that stopped running go away entirely).
 */
export interface TestRunStore {
  /**
   * Records each row once: a row whose job, attempt, run key and test id are already recorded is left
   * as it is (a retried call records nothing twice). Returns how many rows were new. A test whose
   * series grows past `keep` (plus a quarter, so the trim is amortized) loses its oldest runs down to `keep`.
   */
  insertTestRuns(rows: readonly TestRunRow[], keep: number): number;
  /** The newest `limit` runs of one test, oldest first. */
  testRunHistory(key: TestKey, limit: number): TestRunRow[];
  /** The tests of `check` that failed or errored in any run of a job (the red run that filed a failing build), by id; null when the job recorded none of that check's tests. */
  failedTestsOfJob(jobId: string, check: string, limit: number): string[] | null;
  /**
   * Tests with at least one failed or errored run kept, the most recently failed first; `flakyOnly`:
   * only those with a failure on a commit where they also passed.
   */
  failingTests(filter: { check?: string; flakyOnly?: boolean; limit: number }): TestKey[];
  /** Deletes up to `limit` runs recorded before `before`, and the series of tests not seen since; returns the runs deleted. */
  pruneTestRuns(before: number, limit: number): number;
}
