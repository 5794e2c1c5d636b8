import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { Sha } from "../../core/sha.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/** A commit bisect found broke a check: what the revert's PR says it undoes, and why. */
export const RevertCulprit = z.strictObject({
  /** The check's name (the PR's title says it broke it). */
  check: z.string().min(1).max(64),
  /** The bisect job whose result named the commit. */
  bisectJobId: z.string().regex(ID_PATTERN),
});
export type RevertCulprit = z.infer<typeof RevertCulprit>;

/**
 * `pushpals revert <pr>`: undo what a merged PR landed, `previousBaseSha..mergedSha`, as a new PR made
 * on the base branch's head. Built by the server from the PR record only (see revert-request.ts). Or,
 * with `prNumber` null and a `culprit`, undo the one commit `mergedSha` a bisect found broke a check,
 * `previousBaseSha` being its first parent (a merge commit is undone against it, `-m 1`); built by the
 * server from the bisect's result (see revert-commit-request.ts).
 */
export const RevertInput = z
  .strictObject({
    /** The merged PR; null for a commit no PushPals PR landed (then `culprit` says which and why). */
    prNumber: z.number().int().positive().nullable(),
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
    culprit: RevertCulprit.nullable().default(null),
  })
  .refine((input) => (input.prNumber === null) !== (input.culprit === null), { message: "a revert undoes either a merged PR (prNumber) or a bisect's culprit (culprit), exactly one", path: ["culprit"] });
export type RevertInput = z.infer<typeof RevertInput>;

export const RevertResult = z.object({ pr: PrProposal });
export type RevertResult = z.input<typeof RevertResult>;
