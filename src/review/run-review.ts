import { BUILTIN_REVIEWERS } from "./builtin-reviewers.ts";
import { Finding, type Decision, type ReviewInput, type Reviewer, type Severity, type Verdict } from "./review-types.ts";

const RANK: Record<Severity, number> = { note: 0, request_changes: 1, block: 2 };

/**
 * Runs every reviewer on the same input. A reviewer that throws does not pass the change: it becomes
 * a block finding of its own. Findings are frozen so nothing run later can soften them in place.
 */
export async function runReview(input: ReviewInput, reviewers: readonly Reviewer[] = BUILTIN_REVIEWERS): Promise<Finding[]> {
  const results = await Promise.all(
    reviewers.map(async (reviewer): Promise<Finding[]> => {
      try {
        return await reviewer.review(input);
      } catch (err) {
        return [
          {
            reviewer: reviewer.name,
            rule: "reviewer_failed",
            severity: "block",
            file: null,
            line: null,
            message: `the ${reviewer.name} reviewer failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 2000),
            fixHint: "rerun the review; if it fails again, report the reviewer bug",
          },
        ];
      }
    }),
  );
  return results.flat().map((f) => Object.freeze({ ...f }));
}

export function decide(findings: readonly Finding[]): Decision {
  if (findings.some((f) => f.severity === "block")) return "block";
  if (findings.some((f) => f.severity === "request_changes")) return "request_changes";
  return "approve";
}

const key = (f: Finding) => JSON.stringify([f.rule, f.file, f.line]);

/**
 * Adds the findings of a non-deterministic reviewer (a model) to the deterministic ones. Extras can
 * only add: every deterministic finding is kept exactly as it was, and an extra that repeats one
 * (same rule, file and line) is kept only if it is more severe. Malformed extras throw.
 */
export function mergeFindings(deterministic: readonly Finding[], extra: readonly unknown[]): Finding[] {
  const kept = deterministic.map((f) => Object.freeze(Finding.parse(f)));
  const strongest = new Map<string, number>();
  for (const f of kept) strongest.set(key(f), Math.max(strongest.get(key(f)) ?? -1, RANK[f.severity]));
  const added: Finding[] = [];
  for (const raw of extra) {
    const f = Object.freeze(Finding.parse(raw));
    const existing = strongest.get(key(f));
    if (existing !== undefined && RANK[f.severity] <= existing) continue;
    added.push(f);
  }
  return [...kept, ...added];
}

export function buildVerdict(input: Pick<ReviewInput, "headSha">, findings: readonly Finding[], policyHash: string, reviewedAt = Date.now()): Verdict {
  return { decision: decide(findings), headSha: input.headSha, policyHash, findings: [...findings], reviewedAt };
}
