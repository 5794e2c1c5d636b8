import { z } from "zod";

/** Low / Medium / High: every change is classified, and each tier has its gate (see docs/policy.md). */
export const RiskTier = z.enum(["low", "medium", "high"]);
export type RiskTier = z.infer<typeof RiskTier>;

const RANK: Record<RiskTier, number> = { low: 0, medium: 1, high: 2 };

export function tierRank(tier: RiskTier): number {
  return RANK[tier];
}

export function maxTier(...tiers: RiskTier[]): RiskTier {
  let out: RiskTier = "low";
  for (const t of tiers) if (RANK[t] > RANK[out]) out = t;
  return out;
}
