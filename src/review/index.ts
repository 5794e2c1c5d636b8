/** The ReviewAgent's deterministic review: parse a PR's exact diff, run the reviewers, decide. */
export { BUILTIN_REVIEWERS } from "./builtin-reviewers.ts";
export { DiffFile, DiffHunk, DiffLine, DiffStatus, ModeChange } from "./diff-types.ts";
export { parseDiff } from "./parse-diff.ts";
export { Decision, Finding, ReviewChecks, ReviewInput, ReviewRules, Severity, Verdict, type Reviewer } from "./review-types.ts";
export { buildVerdict, decide, mergeFindings, runReview } from "./run-review.ts";
export { parseUnifiedDiff } from "./unified-diff.ts";
