import { changedLineCount } from "../diff-types.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { isLockfile } from "./manifest.ts";

const NAME = "size";
const SPLIT = "split the change into smaller pull requests";

/**
 * Small PRs only: too many files or too many changed lines. Binary files and lockfiles count as files,
 * not lines (a one-line dependency bump can rewrite hundreds of lockfile lines).
 */
export const sizeReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const { maxFiles, maxChangedLines } = input.rules;
    const findings: Finding[] = [];
    const files = input.files.length;
    if (files > maxFiles) {
      findings.push({ reviewer: NAME, rule: "too_many_files", severity: "request_changes", file: null, line: null, message: `changes ${files} files, over the limit of ${maxFiles}`, fixHint: SPLIT });
    }
    const lines = input.files.filter((f) => !f.binary && !isLockfile(f)).reduce((n, f) => n + changedLineCount(f), 0);
    if (lines > maxChangedLines) {
      findings.push({ reviewer: NAME, rule: "too_many_lines", severity: "request_changes", file: null, line: null, message: `changes ${lines} lines (added + removed), over the limit of ${maxChangedLines}`, fixHint: SPLIT });
    }
    return findings;
  },
} satisfies Reviewer;
