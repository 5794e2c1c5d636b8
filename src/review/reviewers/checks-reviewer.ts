import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";

const NAME = "checks";

/** Checks count only when they passed on the exact head commit under review. */
export const checksReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const { checks, headSha } = input;
    const finding = (rule: string, severity: Finding["severity"], message: string, fixHint: string): Finding[] => [
      { reviewer: NAME, rule, severity, file: null, line: null, message, fixHint },
    ];
    if (checks.state === "none") {
      return finding("no_checks", "note", "no checks are configured for this repository", "configure checks so changes are verified before merge");
    }
    if (checks.sha !== headSha) {
      return finding("checks_stale", "block", `the checks ran on ${checks.sha.slice(0, 12) || "no commit"}, not on the head ${headSha.slice(0, 12)}`, "run the checks on the exact head commit");
    }
    if (checks.state === "failed") {
      return finding("checks_failed", "block", `the checks failed on the head ${headSha.slice(0, 12)}`, "fix the change until the checks pass");
    }
    if (checks.state === "base_red") {
      const names = checks.baseRed?.checks.join(", ") ?? "some checks";
      return finding("base_red", "note", `${names} fail on the head and on the base ${checks.baseRed?.sha.slice(0, 12) ?? ""} the same way: the base is red, this change adds no failure`, "fix the base's failing build on its own (a failing-build work item)");
    }
    return [];
  },
} satisfies Reviewer;
