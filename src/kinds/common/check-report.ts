import { randomUUID } from "node:crypto";
import { isPushpalsError } from "../../core/errors.ts";
import type { CheckOutcome } from "../../prs/pr-types.ts";
import { parseTestReport } from "../../test-results/detect.ts";
import { prepareReportPath, readReportFile } from "../../test-results/read-report.ts";
import { failedTestIds, summarizeReport } from "../../test-results/summarize-report.ts";
import type { JobContext } from "./job-context.ts";

/** What a check's report adds to its outcome. */
export type ReportOutcome = Pick<CheckOutcome, "tests" | "reportError" | "waived">;

/** The failures `.pushpals/quarantine.toml` at the checked commit waives for one check. */
export type QuarantineLookup = (check: string) => Promise<ReadonlySet<string>>;

/**
 * Before a check with a `report` runs: its path emptied and made (read-report.ts). An unusable path is
 * said and the check runs without a report. Returns the env the check gets (PUSHPALS_TEST_REPORT).
 */
export function prepareCheckReport(ctx: JobContext, dir: string, check: { name: string; report?: string }): { env: Record<string, string>; error?: string } {
  if (!check.report) return { env: {} };
  try {
    return { env: { PUSHPALS_TEST_REPORT: prepareReportPath(dir, check.report) } };
  } catch (err) {
    const error = messageOf(err);
    ctx.log("system", `${check.name}: ${error}`);
    return { env: {}, error };
  }
}

/**
 * After the check ran: its report read and parsed (untrusted content: bounded, no DTD), its failures
 * matched against the quarantine, the outcomes recorded with the server (the per-test history). A check
 * that exited non-zero is waived only when its report is complete, names at least one failure, and every
 * failure is quarantined: anything else (a crash after the tests, a cut report) still fails it.
 */
export async function collectCheckReport(
  ctx: JobContext,
  dir: string,
  commit: string,
  check: { name: string; report?: string },
  exitCode: number | null,
  quarantine: QuarantineLookup,
): Promise<ReportOutcome> {
  if (!check.report) return {};
  let text: string | null;
  try {
    text = readReportFile(dir, check.report);
  } catch (err) {
    return said(ctx, check.name, messageOf(err));
  }
  if (text === null) return said(ctx, check.name, `it wrote no test report at ${check.report}`);
  let report;
  try {
    report = parseTestReport(text, undefined, { root: dir });
  } catch (err) {
    return said(ctx, check.name, `its test report ${check.report} could not be read: ${messageOf(err)}`);
  }
  const failed = failedTestIds(report);
  const waivable = await quarantine(check.name);
  const quarantined = failed.filter((id) => waivable.has(id));
  const waived = exitCode !== 0 && exitCode !== null && !report.truncated && failed.length > 0 && quarantined.length === failed.length;
  const tests = summarizeReport(report, quarantined);
  const { passed, failed: failures, errored, skipped } = report.totals;
  ctx.log("system", `${check.name}: ${report.tests.length} test(s) in its ${report.format} report: ${passed} passed, ${failures + errored} failed, ${skipped} skipped${quarantined.length ? `, ${quarantined.length} failure(s) quarantined` : ""}${report.truncated ? " (the report is cut short)" : ""}`);
  if (waived) ctx.log("system", `${check.name}: every failure is a quarantined test (.pushpals/quarantine.toml), so the check does not fail: ${quarantined.join(", ").slice(0, 1000)}`);
  await ctx.recordTests({ commit, check: check.name, run: `${check.name.slice(0, 40)}#${randomUUID().slice(0, 12)}`, tests }).catch((err) => {
    ctx.log("system", `${check.name}: its test outcomes could not be recorded: ${messageOf(err)}`);
  });
  return { tests, ...(waived ? { waived } : {}) };
}

function said(ctx: JobContext, name: string, reportError: string): ReportOutcome {
  ctx.log("system", `${name}: ${reportError}; the exit code alone decides`);
  return { reportError: reportError.slice(0, 2000) };
}

function messageOf(err: unknown): string {
  if (isPushpalsError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}
