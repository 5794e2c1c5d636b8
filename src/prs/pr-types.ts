import { BaseRed, ChecksState } from "../core/checks-state.ts";
import { z } from "zod";
import { Classification } from "../policy/tiers.ts";
import { RiskTier } from "../core/risk-tier.ts";
import { Verdict } from "../review/review-types.ts";
import { Sha } from "../core/sha.ts";
import { RemotePr } from "../providers/common/api.ts";
import { CheckTests } from "../test-results/check-tests.ts";

export { RemotePr };
import { PrState } from "../store/prs/pr-rows.ts";

export { PrState };

export { RiskTier };

/** One check command's outcome on an exact commit. */
export const CheckOutcome = z.object({
  name: z.string(),
  run: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().int(),
  /** The tests of the check's report, when it is configured with one and wrote one. */
  tests: CheckTests.optional(),
  /** Why its report could not be read (the exit code still decides). */
  reportError: z.string().max(2000).optional(),
  /** It exited non-zero, and every test that failed is quarantined (`tests.quarantined`): it does not fail. */
  waived: z.boolean().optional(),
});
export type CheckOutcome = z.infer<typeof CheckOutcome>;

/** A check that passed, or whose only failures were quarantined tests. */
export function checkPassed(outcome: Pick<CheckOutcome, "exitCode" | "waived">): boolean {
  return outcome.exitCode === 0 || outcome.waived === true;
}

/** The checks verdict bound to the commit it ran on: a verdict for another SHA says nothing. */
export const PrChecks = z.object({
  state: ChecksState,
  sha: z.string(),
  /** The tree of `sha` the checks ran on: a fresh checkout of the commit, nothing a job command left. */
  tree: z.string().optional(),
  results: z.array(CheckOutcome),
  baseRed: BaseRed.optional(),
});
export type PrChecks = z.infer<typeof PrChecks>;

export const ChangedPath = z.object({
  path: z.string(),
  status: z.string(),
  oldPath: z.string().optional(),
});
export type ChangedPath = z.infer<typeof ChangedPath>;

/** What a `run` job hands over when its change is committed and checked; the server opens the PR from it. */
export const PrProposal = z.object({
  title: z.string().min(1).max(200),
  body: z.string().max(20_000),
  baseBranch: z.string().min(1),
  baseSha: Sha,
  headBranch: z.string().min(1),
  headSha: Sha,
  risk: RiskTier,
  /** The worker role that made it (policy [roles]); null for PRs opened before roles were recorded. */
  role: z.string().nullable().default(null),
  scope: z.array(z.string()),
  files: z.array(ChangedPath),
  checks: PrChecks,
  /** The High directive (job id) whose RFC this PR is. */
  rfcFor: z.string().nullable().default(null),
  /** The merged RFC PR this change carries out (required for High). */
  rfc: z.number().int().positive().nullable().default(null),
});
export type PrProposal = z.infer<typeof PrProposal>;

/** The outcome of a `merge` job, recorded on the PR in the same transaction as the job's success. */
export const MergeOutcome = z.object({
  mergedSha: Sha,
  /** Null when a remote provider merged it: the local base branch is then updated by the next fetch, not by PushPals. */
  previousBaseSha: Sha.nullable(),
  checks: PrChecks,
  rebased: z.boolean(),
  /** Worktrees (the user's own checkout) that have the base branch checked out: their files are still at the old commit. */
  checkedOutAt: z.array(z.string()),
});
export type MergeOutcome = z.infer<typeof MergeOutcome>;


/** A person's approval or rejection, bound to the head SHA it was given for: a new head voids it. */
export const PrDecision = z.object({
  by: z.string(),
  at: z.number().int(),
  headSha: z.string(),
  why: z.string().nullable(),
});
export type PrDecision = z.infer<typeof PrDecision>;

export const PullRequest = PrProposal.extend({
  number: z.number().int().positive(),
  /** Where the PR lives (`pr.provider` when it opened): always in the store; with a remote provider, also on its host (see `remote`). */
  provider: z.string(),
  remote: RemotePr.nullable(),
  state: PrState,
  jobId: z.string(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** The last merge job and its outcome or failure, for `pushpals pr <n>`. */
  mergeJobId: z.string().nullable(),
  merge: MergeOutcome.nullable(),
  lastMergeFailure: z.string().nullable(),
  /** What a dry merge of its head onto its base branch's head found (the server checks when the base moves): null when it merges. */
  conflict: z.object({ baseSha: z.string(), files: z.array(z.string().max(4096)).max(100) }).nullable().optional(),
  closedReason: z.string().nullable(),
  /** The ReviewAgent's verdict and the risk classification of the exact head, under the base's policy. */
  review: Verdict.nullable(),
  classification: Classification.nullable(),
  approvals: z.array(PrDecision),
  rejections: z.array(PrDecision),
});
export type PullRequest = z.infer<typeof PullRequest>;

/** What a `review` job hands back: the verdict, the classification, and whether policy lets PushPals merge Low on its own. */
export const ReviewOutcome = z.object({
  verdict: Verdict,
  classification: Classification,
  autoMerge: z.boolean(),
});
export type ReviewOutcome = z.infer<typeof ReviewOutcome>;
