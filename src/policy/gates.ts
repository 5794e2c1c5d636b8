import { z } from "zod";
import type { Policy } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import type { Classification } from "./tiers.ts";
import { RiskTier } from "../core/risk-tier.ts";

/** What a PR of a given classification needs before it merges (enforced by the SourceControlManager). */
export const Gates = z.object({
  tier: RiskTier,
  /** Checks pass on the exact head and the review agent approves: every tier. */
  checks: z.literal(true),
  review: z.literal(true),
  /** PushPals may merge it with no person involved. */
  autoMerge: z.boolean(),
  /** People's approvals of the exact head SHA (never the author's). */
  requiredApprovals: z.number().int(),
  /** An approved RFC document before any code job starts. */
  requireRfc: z.boolean(),
});
export type Gates = z.infer<typeof Gates>;

export function gatesFor(classification: Classification, policy: Policy): Gates {
  const { tier } = classification;
  // Hard-coded: a change to the policy or config is never merged by PushPals on its own.
  const touchesPolicy = classification.reasons.some((r) => r.rule === RULES.policyFile);
  // Hard-coded too: a change to the test quarantine lets failures stop failing checks, so a person approves
  // it whatever the tier (its rule already makes it Medium at least, and no setting lowers that).
  const touchesQuarantine = classification.reasons.some((r) => r.rule === RULES.quarantineFile);
  const approvals = tier === "low" ? 0 : tier === "medium" ? policy.medium.required_approvals : policy.high.required_approvals;
  return {
    tier,
    checks: true,
    review: true,
    autoMerge: tier === "low" && policy.low.auto_merge && !touchesPolicy && !touchesQuarantine,
    requiredApprovals: touchesQuarantine ? Math.max(1, approvals, policy.medium.required_approvals) : approvals,
    requireRfc: tier === "high" && policy.high.require_rfc,
  };
}
