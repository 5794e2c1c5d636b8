import type { DiffFile } from "../diff-types.ts";
import type { Finding } from "../review-types.ts";

export const TESTS_REVIEWER = "tests";

export function finding(rule: string, severity: Finding["severity"], file: string, line: number | null, message: string, fixHint: string): Finding {
  return { reviewer: TESTS_REVIEWER, rule, severity, file, line, message, fixHint };
}

/**
 * Where a line of the base file is in the head file (the diff is -U0): shifted by the hunks before it,
 * or the start of its hunk when the line itself was removed (at least 1).
 */
export function headLineOf(file: DiffFile, oldLine: number): number {
  let delta = 0;
  for (const h of file.hunks) {
    if (h.oldLines === 0) {
      // A pure insertion after old line oldStart.
      if (h.oldStart >= oldLine) break;
      delta += h.newLines;
      continue;
    }
    if (oldLine < h.oldStart) break;
    if (oldLine < h.oldStart + h.oldLines) return Math.max(1, h.newStart);
    delta += h.newLines - h.oldLines;
  }
  return Math.max(1, oldLine + delta);
}

/** A note that a file could be judged only by its added and removed lines. */
export function unreadNote(file: DiffFile, why: string): Finding {
  return finding("tests_unparsed", "note", file.path, null, `could not read ${file.path} as code (${why}): checked with line patterns only`, "keep test files valid so the reviewer can compare their tests");
}
