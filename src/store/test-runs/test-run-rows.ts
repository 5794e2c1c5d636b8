/** A test's outcome in one run, as the store keeps it (the test-results domain's TestStatus, spelled out: the store imports only core). */
export type TestRunStatus = "passed" | "failed" | "skipped" | "errored";

/**
 * One test in one run of one check: a row of `test_runs`. `runKey` names the run within the job's
 * attempt (`test#0`, `test#triage-2`); `(jobId, attempt, runKey, testId)` is recorded once.
 */
export interface TestRunRow {
  jobId: string;
  attempt: number;
  runKey: string;
  /** The exact commit the check ran on. */
  commit: string;
  /** The branch the job's input names, when it names one. */
  branch: string | null;
  check: string;
  testId: string;
  status: TestRunStatus;
  durationMs: number | null;
  /** Why it failed (redacted before it is stored); null for a pass. */
  message: string | null;
  /** The check's quarantine list named it in this run: its failure did not fail the check. */
  quarantined: boolean;
  recordedAt: number;
}

/** One test's series: its runs are kept per check and test id. */
export interface TestKey {
  check: string;
  testId: string;
}
