import { createHash } from "node:crypto";

/**
 * What a refactor's payoff is measured in, language-agnostic and deterministic (no parser per language,
 * so the same figures for every file a model touches):
 * - lines: non-blank lines that are not only a comment;
 * - complexity: decision points (`if`, `for`, `while`, `case`, `catch`, `&&`, `||`, `??`, `?:`, `elif`,
 *   `except`, `and`, `or` in Python), each counted once, outside strings and line comments;
 * - duplicates: lines inside a run of DUPLICATE_WINDOW or more normalized code lines that appears more than
 *   once across the measured files (the second and later copies count).
 */
export interface CodeMeasures {
  lines: number;
  complexity: number;
  duplicates: number;
}

export const DUPLICATE_WINDOW = 4;
const COMMENT_ONLY = /^(\/\/|#|\/\*|\*|\*\/|--|<!--)/;
const STRINGS = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g;
const DECISIONS = /\b(?:if|for|while|case|catch|elif|except|and|or)\b|&&|\|\||\?\?|\?(?=[^.?:]*:)/g;

/** A file's code lines, normalized: trimmed, inner whitespace collapsed, comment-only and blank lines dropped. */
export function codeLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, " "))
    .filter((l) => l.length > 0 && !COMMENT_ONLY.test(l));
}

function decisionsOf(line: string): number {
  const bare = line.replace(STRINGS, '""').replace(/\s\/\/.*$/, "");
  return bare.match(DECISIONS)?.length ?? 0;
}

/** The measures of a set of files, taken together (duplicates count across files too). */
export function measureCode(files: readonly string[]): CodeMeasures {
  const perFile = files.map(codeLines);
  const lines = perFile.reduce((n, f) => n + f.length, 0);
  const complexity = perFile.reduce((n, f) => n + f.reduce((m, l) => m + decisionsOf(l), 0), 0);
  return { lines, complexity, duplicates: duplicateLines(perFile) };
}

/** Lines covered by a window of DUPLICATE_WINDOW lines already seen earlier (in this file or another). */
function duplicateLines(perFile: readonly string[][]): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const lines of perFile) {
    const covered = new Set<number>();
    for (let i = 0; i + DUPLICATE_WINDOW <= lines.length; i++) {
      const window = lines.slice(i, i + DUPLICATE_WINDOW);
      // Brackets and one-word lines alone are no duplicated logic.
      if (window.filter((l) => l.length > 3).length < DUPLICATE_WINDOW - 1) continue;
      const key = createHash("sha1").update(window.join("\n")).digest("hex");
      if (seen.has(key)) for (let j = i; j < i + DUPLICATE_WINDOW; j++) covered.add(j);
      else seen.add(key);
    }
    duplicates += covered.size;
  }
  return duplicates;
}

/** The change in each measure, after minus before (negative: fewer). */
export function measureDelta(before: CodeMeasures, after: CodeMeasures): CodeMeasures {
  return { lines: after.lines - before.lines, complexity: after.complexity - before.complexity, duplicates: after.duplicates - before.duplicates };
}
