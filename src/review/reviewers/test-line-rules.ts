import { addedLines, removedLines, type DiffFile, type DiffLine } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";
import { finding } from "./tests-finding.ts";

/**
 * Line patterns for test files the TS parser does not read (Python, Go, or a JS/TS file that did not
 * parse or was not loaded): skips, focuses and todos added, assertion lines removed unreplaced.
 */
const DISABLING: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /\b(?:describe|it|test|suite|context|bench)(?:\.\w+)*\.only\s*\(/, what: ".only (focuses the run, skipping every other test)" },
  { pattern: /\b(?:describe|it|test|suite|context|bench)(?:\.\w+)*\.(?:skip|skipIf)\s*\(/, what: ".skip" },
  { pattern: /(?<![\w.$])(?:xit|xdescribe|xtest|xcontext|xspecify)\s*\(/, what: "an x-prefixed (skipped) test" },
  { pattern: /(?<![\w.$])(?:fit|fdescribe|ftest)\s*\(/, what: "an f-prefixed (focused) test" },
];
const PYTHON_DISABLING: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /^\s*@pytest\.mark\.(?:skip|skipif|xfail)\b/, what: "a pytest skip or xfail mark" },
  { pattern: /^\s*@unittest\.(?:skip|skipIf|skipUnless|expectedFailure)\b/, what: "a unittest skip decorator" },
  { pattern: /\bpytest\.skip\s*\(|\bself\.skipTest\s*\(|\braise\s+(?:unittest\.)?SkipTest\b/, what: "a runtime skip" },
];
const GO_DISABLING: Array<{ pattern: RegExp; what: string }> = [{ pattern: /\b[tb]\.Skip(?:f|Now)?\s*\(/, what: "t.Skip" }];
const TODO = /\b(?:describe|it|test)(?:\.\w+)*\.todo\s*\(/;
const ASSERTION = /\bexpect\s*\(|\bassert|\bt\.(?:Error|Errorf|Fatal|Fatalf|Fail|FailNow)\s*\(|\brequire\.\w+\s*\(/;

function disablingFor(path: string): Array<{ pattern: RegExp; what: string }> {
  if (path.endsWith(".py")) return [...DISABLING, ...PYTHON_DISABLING];
  if (path.endsWith(".go")) return [...DISABLING, ...GO_DISABLING];
  return DISABLING;
}

export function lineRuleFindings(file: DiffFile): Finding[] {
  return [...disabledTests(file), ...removedAssertions(file)];
}

function disabledTests(file: DiffFile): Finding[] {
  const findings: Finding[] = [];
  const patterns = disablingFor(file.path);
  for (const { line, text } of addedLines(file)) {
    const hit = patterns.find((d) => d.pattern.test(text));
    if (hit) {
      findings.push(finding("test_disabled", "block", file.path, line, `adds ${hit.what} in ${file.path}`, "run every test: remove the skip or focus"));
    } else if (TODO.test(text)) {
      findings.push(finding("test_todo", "request_changes", file.path, line, `adds a todo test in ${file.path}`, "write the test, or leave it out of the change"));
    }
  }
  return findings;
}

/**
 * Removed assertion lines that no added assertion line replaces. An assertion moved unchanged
 * (same text) cancels out first; rewritten ones count one for one.
 */
function removedAssertions(file: DiffFile): Finding[] {
  const normalize = (text: string) => text.trim().replace(/\s+/g, " ");
  const added = addedLines(file).filter((l) => ASSERTION.test(l.text));
  const pool = new Map<string, number>();
  for (const l of added) pool.set(normalize(l.text), (pool.get(normalize(l.text)) ?? 0) + 1);
  const unmatched: DiffLine[] = [];
  let movedBack = 0;
  for (const l of removedLines(file).filter((r) => ASSERTION.test(r.text))) {
    const key = normalize(l.text);
    const left = pool.get(key) ?? 0;
    if (left > 0) {
      pool.set(key, left - 1);
      movedBack++;
    } else {
      unmatched.push(l);
    }
  }
  const replacements = added.length - movedBack;
  const lost = unmatched.length - replacements;
  if (lost <= 0) return [];
  // Rewritten assertions are taken to replace the first removed ones; the rest are the lost ones.
  const first = unmatched[replacements] ?? unmatched[0];
  const at = first ? newLineOf(file, first) : null;
  return [
    finding(
      "assertions_removed",
      "request_changes",
      file.path,
      at,
      `removes ${lost} assertion${lost === 1 ? "" : "s"} from ${file.path} without replacing ${lost === 1 ? "it" : "them"}`,
      "keep the assertions, or explain in the PR why the behaviour they checked is gone",
    ),
  ];
}

/** Where a removed line was, in new-file numbering: the line its hunk starts at (at least 1). */
function newLineOf(file: DiffFile, removed: DiffLine): number | null {
  const hunk = file.hunks.find((h) => h.removed.includes(removed));
  return hunk ? Math.max(1, hunk.newStart) : null;
}
