import { BaseRed, ChecksState } from "../../core/checks-state.ts";
import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";

/** Review one PR head (ReviewAgent): risk classification and deterministic reviewers under the base's policy. */
export const ReviewJobInput = z.strictObject({
  prNumber: z.number().int().positive(),
  headSha: Sha,
  baseSha: Sha,
  /** The PR's base branch: the review judges under the stricter of the policy at `baseSha` and at this branch now. */
  baseBranch: z.string().min(1).max(255).optional(),
  declaredRisk: RiskTier,
  role: z.string().max(64).nullable().default(null),
  scope: z.array(z.string().min(1).max(512)).max(64),
  checks: z.strictObject({ state: ChecksState, sha: Sha, baseRed: BaseRed.optional() }),
});
export type ReviewJobInput = z.infer<typeof ReviewJobInput>;

