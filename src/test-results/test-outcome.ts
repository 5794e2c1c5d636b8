import { z } from "zod";

/** Bounds on what one outcome carries: a report is untrusted output of the repository's own tests. */
export const MAX_TEST_NAME = 1000;
export const MAX_TEST_FILE = 500;
export const MAX_TEST_MESSAGE = 2000;
/** file + " > " + name, and a " (N)" when the same id comes again in one report. */
export const MAX_TEST_ID = MAX_TEST_FILE + 3 + MAX_TEST_NAME + 16;

export const TestStatus = z.enum(["passed", "failed", "skipped", "errored"]);
export type TestStatus = z.infer<typeof TestStatus>;

export const TestReportFormat = z.enum(["junit", "tap"]);
export type TestReportFormat = z.infer<typeof TestReportFormat>;

/**
 * One test's outcome in one run. `id` is stable across runs and formats of the same runner:
 * `file > full name` (the full name is the describe path and the test's own name joined by " > "),
 * just the full name when the report names no file.
 */
export const TestOutcome = z.object({
  id: z.string().min(1).max(MAX_TEST_ID),
  file: z.string().min(1).max(MAX_TEST_FILE).nullable(),
  name: z.string().min(1).max(MAX_TEST_NAME),
  status: TestStatus,
  durationMs: z.number().int().nonnegative().nullable(),
  /** Why a failed or errored test failed (no stack); null otherwise. */
  message: z.string().min(1).max(MAX_TEST_MESSAGE).nullable(),
});
export type TestOutcome = z.infer<typeof TestOutcome>;

export const TestTotals = z.object({
  passed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  skipped: z.number().int().nonnegative(),
  errored: z.number().int().nonnegative(),
});
export type TestTotals = z.infer<typeof TestTotals>;

/**
 * The tests of one report, in report order. `truncated`: the report stopped before it said it was
 * complete (a TAP stream cut short or bailed out); `tests` then holds what it said so far.
 */
export const TestReport = z.object({
  format: TestReportFormat,
  tests: z.array(TestOutcome),
  totals: TestTotals,
  truncated: z.boolean(),
  /** Failures the report gives outside every test (a JUnit suite's own `<error>`): a check with any is never waived. */
  suiteFailures: z.number().int().nonnegative().default(0),
});
export type TestReport = z.infer<typeof TestReport>;

/** What parsers take beyond the text. */
export interface ParseOptions {
  /** The checkout the tests ran in: absolute paths under it are made relative, so ids do not depend on where the checkout was. */
  root?: string;
}
