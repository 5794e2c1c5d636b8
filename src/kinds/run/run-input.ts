import { z } from "zod";
import { ChecksSnapshot, InstallSettings } from "../../config/check-settings.ts";
import { ID_PATTERN } from "../../core/ids.ts";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/**
 * `pushpals run`: a codemod job. The command runs sandboxed in a worktree of the base head; the SCM
 * commits what it changed (inside the write scope only), checks run on that commit, and a PR opens.
 */
export const RunInput = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(20_000).default(""),
  command: z.string().min(1).max(8192),
  scope: z.array(z.string().min(1).max(512)).min(1).max(64),
  risk: RiskTier.default("low"),
  /** The worker role doing the change: its write scope in the policy's [roles] bounds the change (outside it: High). */
  role: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).default("codemod"),
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
  commandTimeoutSeconds: z.number().int().positive().max(24 * 3600).default(900),
  maxFileBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(1024 * 1024),
  /** Ignored: the checks (and install) are the config committed at `baseCommit` (jobs queued before carry them). */
  checks: ChecksSnapshot.optional(),
  install: InstallSettings.optional(),
  /** This change writes the RFC of that High directive (job id): its PR needs people's approval, and merging it approves the directive. */
  rfcFor: z.string().regex(ID_PATTERN).nullable().default(null),
  /** The merged RFC PR that a High change carries out: without one a High change cannot merge. */
  rfc: z.number().int().positive().nullable().default(null),
  /** Set to add a commit to an open PR instead of opening one: the worktree starts at the PR's head. */
  updatePr: z.strictObject({ number: z.number().int().positive(), headBranch: z.string().min(1).max(255), headSha: Sha }).nullable().default(null),
}).refine((input) => input.risk !== "high" || input.rfc !== null || input.updatePr !== null, {
  message: "a High-risk change needs the merged RFC it carries out (rfc: its PR number) before any code runs",
  path: ["rfc"],
});
export type RunInput = z.infer<typeof RunInput>;


/** A `run` job's success: the committed, checked change as a PR proposal (`updates`: the open PR it adds a commit to). */
export const RunResult = z.object({ pr: PrProposal, updates: z.number().int().positive().optional() });
export type RunResult = z.input<typeof RunResult>;
