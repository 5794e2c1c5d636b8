import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/**
 * `pushpals revert <pr>`: undo what a merged PR landed, `previousBaseSha..mergedSha`, as a new PR made
 * on the base branch's head. Built by the server from the PR record only (see revert-request.ts).
 */
export const RevertInput = z.strictObject({
  prNumber: z.number().int().positive(),
  mergedSha: Sha,
  previousBaseSha: Sha,
  title: z.string().min(1).max(200),
  body: z.string().max(20_000),
  baseBranch: z.string().min(1).max(255),
  /** The base branch's head when the revert was asked for: the revert is made, checked and reviewed on it. */
  baseCommit: Sha,
  scope: z.array(z.string().min(1).max(512)).min(1).max(64),
  risk: RiskTier,
  role: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
  /** The merged RFC PR the reverted change carried out: a High revert is under the same RFC. */
  rfc: z.number().int().positive().nullable(),
});
export type RevertInput = z.infer<typeof RevertInput>;

export const RevertResult = z.object({ pr: PrProposal });
export type RevertResult = z.input<typeof RevertResult>;
