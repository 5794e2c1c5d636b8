import { randomUUID } from "node:crypto";
import { isPushpalsError } from "../../core/errors.ts";
import type { CheckOutcome } from "../../prs/pr-types.ts";
import { parseTestReport } from "../../test-results/detect.ts";
import { prepareReportPath, readReportFile } from "../../test-results/read-report.ts";
import { failedTestIds, summarizeReport } from "../../test-results/summarize-report.ts";
import { MAX_TEST_FILE, MAX_TEST_NAME, type TestReport } from "../../test-results/test-outcome.ts";
import type { JobContext } from "./job-context.ts";

/** What a check's report adds to its outcome. */
export type ReportOutcome = Pick<CheckOutcome, "tests" | "reportError" | "waived">;

/** The failures `.pushpals/quarantine.toml` at the checked commit waives for one check. */
export type QuarantineLookup = (check: string) => Promise<ReadonlySet<string>>;

/** Why a check's failure cannot be waived whatever its report says (check-waivable.ts), or null. */
export type WaivableLookup = (run: string) => Promise<string | null>;

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
 * that exited non-zero is waived only when its report is complete, names at least one failure and no
 * failure outside a test, every failure is quarantined (an id the report gives twice, or one cut to its
 * bound, never is), and the check is one command (whyNot): anything else still fails it.
 */
export async function collectCheckReport(
  ctx: JobContext,
  dir: string,
  commit: string,
  check: { name: string; run: string; report?: string },
  exitCode: number | null,
  quarantine: QuarantineLookup,
  whyNot: WaivableLookup,
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
  const quarantined = failed.filter((id) => waivable.has(id) && !ambiguous(report, id));
  const onlyQuarantined = exitCode !== 0 && exitCode !== null && !report.truncated && report.suiteFailures === 0 && failed.length > 0 && quarantined.length === failed.length;
  const refused = onlyQuarantined ? await whyNot(check.run) : null;
  if (refused) ctx.log("system", `${check.name}: every failure is a quarantined test, but the check is not waived: ${refused}`);
  const waived = onlyQuarantined && refused === null;
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

/** An id that may stand for more than one test in this report: given twice (" (n)"), or cut to its bound. */
function ambiguous(report: TestReport, id: string): boolean {
  if (/ \(\d+\)$/.test(id)) return true;
  const cut = report.tests.some((t) => t.id === id && (t.name.length >= MAX_TEST_NAME || (t.file?.length ?? 0) >= MAX_TEST_FILE));
  return cut || report.tests.some((t) => t.id === `${id} (2)`);
}
