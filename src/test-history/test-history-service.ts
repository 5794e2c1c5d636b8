import type { JobService, LeaseRef } from "../jobs/job-service.ts";
import { redactText } from "../secrets/redact.ts";
import type { TestKey, TestRunRow } from "../store/test-runs/test-run-rows.ts";
import type { TestRunStore } from "../store/test-runs/test-run-store.ts";
import type { TestRunReport } from "./test-run-report.ts";
import { summarizeTest, type TestSummary } from "./test-summary.ts";

/** Each test keeps its newest runs (per check and test id): the score reads these. */
export const KEPT_RUNS_PER_TEST = 200;
/** Runs older than this are dropped, and with them tests that stopped running. */
export const KEPT_DAYS = 90;
const DAY_MS = 86_400_000;
/** Old runs deleted per recording at most (a long-idle database catches up over a few). */
const PRUNE_BATCH = 5_000;
/** Tests `listFlakyTests` reads the history of at most (about 1 ms each): the ones that failed most recently. */
const MAX_CANDIDATES = 300;

/** The branch a job's input names (a `checks` job of a branch), else null. */
function branchOf(input: unknown): string | null {
  const branch = (input as { branch?: unknown } | null)?.branch;
  return typeof branch === "string" ? branch : null;
}

/**
 * A test id as stored: redacted like every other recorded output (a test named after the token it
 * rejects). Deterministic, so the same test keeps one id; look-ups go through it too.
 */
export const storedTestId = (id: string): string => redactText(id);

/**
 * Records one run's tests for the job the worker holds (fenced: a stale lease is `lease_lost` and
 * records nothing): one row per outcome, its message redacted, `quarantined` as the run's list says;
 * a row already recorded (a retried call) is left as it is. Returns how many rows were new.
 */
export function recordTestRun(jobs: JobService, ref: LeaseRef, report: TestRunReport): { recorded: number } {
  return jobs.recordUnderLease(ref, (ctx, job) => {
    const quarantined = new Set(report.tests.quarantined);
    const branch = branchOf(job.input);
    const rows: TestRunRow[] = report.tests.outcomes.map((o) => ({
      jobId: job.id,
      attempt: job.attempt,
      runKey: report.run,
      commit: report.commit,
      branch,
      check: report.check,
      testId: storedTestId(o.id),
      status: o.status,
      durationMs: o.durationMs,
      message: o.message === null ? null : redactText(o.message),
      quarantined: quarantined.has(o.id),
      recordedAt: ctx.now,
    }));
    const recorded = ctx.store.insertTestRuns(rows, KEPT_RUNS_PER_TEST);
    ctx.store.pruneTestRuns(ctx.now - KEPT_DAYS * DAY_MS, PRUNE_BATCH);
    return { recorded };
  });
}

/** One test's summary (score, evidence, consecutive passes, quarantine), from its kept runs; null if none is kept. */
export function testSummary(store: Pick<TestRunStore, "testRunHistory">, key: TestKey): TestSummary | null {
  const stored = { check: key.check, testId: storedTestId(key.testId) };
  return summarizeTest(stored, store.testRunHistory(stored, KEPT_RUNS_PER_TEST));
}

export interface FlakyTestsQuery {
  check?: string;
  limit: number;
  /** Also tests with no flaky commit (every failure on a commit where they only failed). */
  all?: boolean;
}

/**
 * Tests that failed in their kept runs, the flakiest first (score, then flaky commits, then the
 * latest failure); by default only those with at least one flaky commit.
 */
export function listFlakyTests(store: Pick<TestRunStore, "testRunHistory" | "failingTests">, query: FlakyTestsQuery): TestSummary[] {
  const tests: TestSummary[] = [];
  for (const key of store.failingTests({ check: query.check, flakyOnly: !query.all, limit: MAX_CANDIDATES })) {
    const summary = summarizeTest(key, store.testRunHistory(key, KEPT_RUNS_PER_TEST));
    if (summary && summary.failures > 0 && (query.all || summary.flakyCommits > 0)) tests.push(summary);
  }
  tests.sort((a, b) => b.score - a.score || b.flakyCommits - a.flakyCommits || (b.lastFailureAt ?? 0) - (a.lastFailureAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return tests.slice(0, query.limit);
}
