import type { DiffFile } from "../diff-types.ts";
import { testFileMatcher } from "../path-match.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { summarizeTests, type TestFileSummary } from "./test-ast.ts";
import { compareTests, type SummarizedFile } from "./test-compare.ts";
import { lineRuleFindings } from "./test-line-rules.ts";
import { configNeedsParser, runnerConfigFindings } from "./test-runner-config.ts";
import { testScriptFindings } from "./test-script-rules.ts";
import { isJsLike, loadTypeScript, type Ts } from "./test-ts.ts";
import { finding, TESTS_REVIEWER, unreadNote } from "./tests-finding.ts";

/**
 * Tests deleted, removed, skipped, focused, exiting early or stripped of assertions, and test scripts
 * or runner configs changed so tests stop running or failing. JS/TS test files are compared test by
 * test with the TypeScript parser (loaded only when such a file changed: the review then is async);
 * other test files, and ones that do not parse, by their changed lines.
 */
export const testsReviewer = {
  name: TESTS_REVIEWER,
  review(input: ReviewInput): Finding[] | Promise<Finding[]> {
    const plan = planFiles(input);
    const known = [...plan.findings, ...input.files.flatMap(testScriptFindings)];
    if (plan.parse.length === 0 && !input.files.some(configNeedsParser)) {
      return ordered(input, [...known, ...input.files.flatMap((f) => runnerConfigFindings(f, null))]);
    }
    return loadTypeScript().then((ts) => ordered(input, [...known, ...astFindings(ts, plan.parse), ...input.files.flatMap((f) => runnerConfigFindings(f, ts))]));
  },
} satisfies Reviewer;

/** Findings that need no parser (deleted test files, line rules), and the test files to parse. */
function planFiles(input: ReviewInput): { findings: Finding[]; parse: DiffFile[] } {
  const isTest = testFileMatcher(input.rules);
  const findings: Finding[] = [];
  const parse: DiffFile[] = [];
  for (const file of input.files) {
    const wasTest = isTest(file.oldPath ?? file.path);
    if (file.status === "deleted" && wasTest) {
      findings.push(finding("test_deleted", "block", file.path, null, `the test file ${file.path} is deleted`, "keep the test file; change or replace its tests instead"));
      continue;
    }
    if (file.status === "renamed" && wasTest && !isTest(file.path)) {
      findings.push(finding("test_deleted", "block", file.path, null, `the test file ${file.oldPath} is renamed to ${file.path}, which no test run picks up`, "keep test files under a test name"));
    }
    if (!isTest(file.path)) continue;
    if (isJsLike(file.path) && !file.binary && file.contents) parse.push(file);
    else findings.push(...lineRuleFindings(file), ...(isJsLike(file.path) && !file.binary ? [unreadNote(file, "its contents were not loaded with the diff")] : []));
  }
  return { findings, parse };
}

function astFindings(ts: Ts, files: DiffFile[]): Finding[] {
  const summarized: SummarizedFile[] = [];
  const fallback: Finding[] = [];
  for (const file of files) {
    const base = file.status === "added" ? null : side(ts, file.oldPath ?? file.path, file.contents?.old ?? null);
    const head = side(ts, file.path, file.contents?.new ?? null);
    const failed = [base, head].find((s): s is { reason: string } => s !== null && "reason" in s);
    if (failed) {
      fallback.push(...lineRuleFindings(file), unreadNote(file, failed.reason));
      continue;
    }
    summarized.push({ file, base: base as TestFileSummary | null, head: head as TestFileSummary | null });
  }
  return [...fallback, ...compareTests(summarized)];
}

function side(ts: Ts, path: string, text: string | null): TestFileSummary | { reason: string } | null {
  if (text === null) return null;
  const result = summarizeTests(ts, path, text);
  return result.ok ? result.summary : { reason: `it does not parse: ${result.reason}` };
}

/** In the order of the diff's files, then by line (whole-file findings last). */
function ordered(input: ReviewInput, findings: Finding[]): Finding[] {
  const index = new Map(input.files.map((f, i) => [f.path, i]));
  const rank = (f: Finding) => index.get(f.file ?? "") ?? input.files.length;
  return findings.sort((a, b) => rank(a) - rank(b) || (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}
