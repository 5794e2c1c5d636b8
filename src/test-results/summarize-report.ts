import { MAX_CHECK_TESTS, MAX_FAILURE_MESSAGES, type CheckTestOutcome, type CheckTests } from "./check-tests.ts";
import type { TestOutcome, TestReport } from "./test-outcome.ts";

export function isFailure(status: TestOutcome["status"]): boolean {
  return status === "failed" || status === "errored";
}

/**
 * A parsed report as a job result carries it: every failure first (the first MAX_FAILURE_MESSAGES with
 * their messages), then the other tests in report order up to MAX_CHECK_TESTS; `quarantined` the failures
 * the caller found quarantined.
 */
export function summarizeReport(report: TestReport, quarantined: readonly string[] = []): CheckTests {
  const failures = report.tests.filter((t) => isFailure(t.status));
  const others = report.tests.filter((t) => !isFailure(t.status));
  const room = Math.max(0, MAX_CHECK_TESTS - failures.length);
  const outcomes: CheckTestOutcome[] = [
    ...failures.slice(0, MAX_CHECK_TESTS).map((t, i) => outcomeOf(t, i < MAX_FAILURE_MESSAGES)),
    ...others.slice(0, room).map((t) => outcomeOf(t, false)),
  ];
  return {
    format: report.format,
    totals: report.totals,
    truncated: report.truncated,
    outcomes,
    omitted: report.tests.length - outcomes.length,
    quarantined: [...quarantined],
  };
}

function outcomeOf(test: TestOutcome, withMessage: boolean): CheckTestOutcome {
  return { id: test.id, status: test.status, durationMs: test.durationMs, message: withMessage ? test.message : null };
}

/** The ids of the tests that failed or errored. */
export function failedTestIds(report: TestReport): string[] {
  return report.tests.filter((t) => isFailure(t.status)).map((t) => t.id);
}
