import { parseJunit } from "./junit.ts";
import { reportError } from "./report-error.ts";
import { parseTap } from "./tap.ts";
import type { ParseOptions, TestReport, TestReportFormat } from "./test-outcome.ts";
import { XML_START } from "./xml-tree.ts";

const TAP_LINE = /^[ \t]*(?:TAP version \d+|(?:not )?ok\b|1\.\.\d+|Bail out!)/m;

/**
 * A check's test report, its format read from its content: JUnit XML or TAP, whichever starts
 * first (a runner's banner or npm's header before it is fine). `hint` (what the check says its
 * runner writes) decides only when the content shows neither, so its parser says what is wrong.
 *
 * Throws a PushpalsError (`invalid_input`; `payload_too_large` for an XML report over the limit)
 * for a report that cannot be read, its message saying what is wrong and where; `details.problem`
 * is stable (report-error.ts). A TAP stream cut short is not an error but a report with
 * `truncated: true` (tap.ts says why). Either way the caller records the check's own result.
 */
export function parseTestReport(text: string, hint?: TestReportFormat, options: ParseOptions = {}): TestReport {
  const format = detectFormat(text) ?? hint;
  if (format === "junit") return parseJunit(text, options);
  if (format === "tap") return parseTap(text, options);
  if (text.trim() === "") throw reportError(null, "empty", "the test report is empty");
  throw reportError(null, "not_a_report", "the test report is neither JUnit XML nor TAP: no <testsuites>, <testsuite> or TAP line in it");
}

export function detectFormat(text: string): TestReportFormat | null {
  const xml = text.search(XML_START);
  const tap = text.search(TAP_LINE);
  if (xml === -1 && tap === -1) return null;
  if (tap === -1) return "junit";
  if (xml === -1) return "tap";
  return xml < tap ? "junit" : "tap";
}
