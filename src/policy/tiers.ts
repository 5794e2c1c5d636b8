import { z } from "zod";
import { maxTier, RiskTier } from "../core/risk-tier.ts";
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
