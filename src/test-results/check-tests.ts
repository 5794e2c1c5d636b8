import { z } from "zod";
import { MAX_TEST_ID, MAX_TEST_MESSAGE, TestReportFormat, TestStatus, TestTotals } from "./test-outcome.ts";

/** Outcomes kept per check run: far above most suites; a larger one keeps every failure and the first passes. */
export const MAX_CHECK_TESTS = 5000;
/** Failures kept with their message (the rest keep id and status). */
export const MAX_FAILURE_MESSAGES = 200;

/** One test of one check run, as a job result carries it (the file and name are in the id). */
export const CheckTestOutcome = z.object({
  id: z.string().min(1).max(MAX_TEST_ID),
  status: TestStatus,
  durationMs: z.number().int().nonnegative().nullable(),
  message: z.string().min(1).max(MAX_TEST_MESSAGE).nullable(),
});
export type CheckTestOutcome = z.infer<typeof CheckTestOutcome>;

/**
 * The tests of one check run, read from the report the check wrote (its `report` path in the config).
 * `quarantined`: failed or errored tests that `.pushpals/quarantine.toml` at the checked commit lists
 * (unexpired, for this check): they did not fail the check, and are still recorded here.
 */
export const CheckTests = z.object({
  format: TestReportFormat,
  totals: TestTotals,
  truncated: z.boolean(),
  outcomes: z.array(CheckTestOutcome).max(MAX_CHECK_TESTS),
  /** Tests the report held beyond MAX_CHECK_TESTS (passes only: failures are always kept). */
  omitted: z.number().int().nonnegative().default(0),
  quarantined: z.array(z.string().min(1).max(MAX_TEST_ID)).max(MAX_CHECK_TESTS).default([]),
});
export type CheckTests = z.infer<typeof CheckTests>;
