import { PushpalsError } from "../core/errors.ts";
import type { TestReportFormat } from "./test-outcome.ts";

/** Larger reports are refused whole (JUnit) or read up to here (TAP): far above any real suite's. */
export const MAX_REPORT_CHARS = 16 * 1024 * 1024;

/** Why a report could not be read, stable for callers (`details.problem`). */
export type ReportProblem = "empty" | "too_large" | "truncated" | "malformed" | "doctype" | "not_a_report";

const HINTS: Record<ReportProblem, string> = {
  empty: "the runner wrote nothing: it may have crashed before reporting, or the check wrote its report elsewhere",
  too_large: `a report over ${MAX_REPORT_CHARS / 1024 / 1024} MiB is not read`,
  truncated: "the runner was probably stopped while writing it (a timeout, the output cap, a crash)",
  malformed: "the report is not what its runner writes: check the reporter options",
  doctype: "no test reporter writes a DOCTYPE; one may declare entities that expand without bound",
  not_a_report: "point the check at the runner's JUnit XML or TAP output",
};

/**
 * A report that cannot be read. `invalid_input` (or `payload_too_large` for an oversized one), so
 * callers record the check's own result and this message beside it.
 */
export function reportError(format: TestReportFormat | null, problem: ReportProblem, message: string, line?: number): PushpalsError {
  return new PushpalsError(problem === "too_large" ? "payload_too_large" : "invalid_input", message, {
    hint: HINTS[problem],
    details: { format, problem, ...(line === undefined ? {} : { line }) },
  });
}

export function sizeLabel(chars: number): string {
  return `${(chars / 1024 / 1024).toFixed(1)} MiB`;
}
