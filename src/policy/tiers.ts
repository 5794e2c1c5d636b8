import { z } from "zod";
/** Low / Medium / High: every change is classified, and each tier has its gate (see docs/policy.md). */
export const RiskTier = z.enum(["low", "medium", "high"]);
export type RiskTier = z.infer<typeof RiskTier>;

const RANK: Record<RiskTier, number> = { low: 0, medium: 1, high: 2 };

/** One rule that fired: a stable id (`protected_path`, `size.lines`...), the tier it asks for, why, and where. */
export const RiskReason = z.object({
  rule: z.string().min(1),
  tier: RiskTier,
  message: z.string(),
  paths: z.array(z.string()).optional(),
});
export type RiskReason = z.infer<typeof RiskReason>;

/** The tier of a change and every rule that contributed; `tier` is the highest tier among `reasons` (low when none). */
export const Classification = z.object({
  tier: RiskTier,
  reasons: z.array(RiskReason),
});
export type Classification = z.infer<typeof Classification>;

export function tierRank(tier: RiskTier): number {
  return RANK[tier];
}

export function maxTier(...tiers: RiskTier[]): RiskTier {
  let out: RiskTier = "low";
  for (const t of tiers) if (RANK[t] > RANK[out]) out = t;
  return out;
}

/** Builds a classification from reasons: the max wins. */
export function classificationOf(reasons: RiskReason[]): Classification {
  return { tier: maxTier(...reasons.map((r) => r.tier)), reasons };
}

/**
 * Along the pipeline (declared scope at enqueue -> the job's actual diff -> the final merged candidate)
 * the tier may rise, never fall: the result is the higher tier and the union of both reasons.
 */
export function raiseOnly(previous: Classification, next: Classification): Classification {
  const seen = new Set<string>();
  const reasons: RiskReason[] = [];
  for (const r of [...previous.reasons, ...next.reasons]) {
    const key = JSON.stringify([r.rule, r.tier, r.message, r.paths ?? null]);
    if (seen.has(key)) continue;
    seen.add(key);
    reasons.push(r);
  }
  return { tier: maxTier(previous.tier, next.tier), reasons };
}
