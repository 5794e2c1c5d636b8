import type { BaseRed } from "../../core/checks-state.ts";
import type { RiskTier } from "../../core/risk-tier.ts";
import type { PrChecks, PrProposal } from "../../prs/pr-types.ts";
import { keepCommit, publishJobBranch } from "../../scm/branches.ts";
import { commitWorktree } from "../../scm/commit.ts";
import { advancePrBranch } from "../../scm/pr-branch.ts";
import { removeCheckout, type JobCheckout } from "../../scm/worktree.ts";
import { checkCommit } from "./check-commit.ts";
import type { ChecksAtBase } from "./checks-at-base.ts";
import type { JobContext } from "./job-context.ts";

/** A change a job made in its checkout (a `run`'s command, a `revert`), and the PR it is proposed as. */
export interface ChangeToPropose {
  title: string;
  /** The requester's description; notes on how the change was checked are added after it. */
  body: string;
  /** The commit message, without the trailers. */
  message: string;
  scope: string[];
  maxFileBytes: number;
  risk: RiskTier;
  role: string;
  baseBranch: string;
  baseCommit: string;
  rfcFor: string | null;
  rfc: number | null;
  /** The open PR the commit is added to, instead of opening one. */
  updatePr: { number: number; headBranch: string; headSha: string } | null;
  /** The checks (and install) of the config committed at the base. */
  checks: ChecksAtBase;
  trailers?: Record<string, string>;
  /** The repository has no lockfile by design (said in the PR). */
  unpinned?: string;
}

/**
 * What every change goes through once it is in the checkout: the scoped commit, its job branch (an
 * open PR's branch moves only after the checks pass), the configured checks on a fresh checkout of
 * that exact commit, and the PR proposal the job's success opens. The checkout is removed once the
 * commit is on a ref.
 */
export async function proposeChange(ctx: JobContext, checkout: JobCheckout, change: ChangeToPropose): Promise<PrProposal> {
  await ctx.progress({ step: "commit" }).catch(() => {});
  const committed = await commitWorktree(checkout, {
    rules: { scope: change.scope, maxFileBytes: change.maxFileBytes },
    message: change.message,
    trailers: { "PushPals-Job": ctx.job.id, "PushPals-Risk": change.risk, ...change.trailers },
  });
  const headBranch = change.updatePr ? change.updatePr.headBranch : await publishJobBranch(ctx.paths.repoRoot, ctx.job.id, committed.commit);
  const keptOn = change.updatePr ? await keepCommit(ctx.paths.repoRoot, ctx.job.id, committed.commit) : headBranch;
  ctx.log("system", `committed ${committed.files.length} file(s) as ${committed.commit.slice(0, 12)} (${keptOn})`);
  await ctx.progress({ step: "checks", commit: committed.commit }).catch(() => {});
  // The change's checkout is done with: the checks get a fresh one of the commit, nothing it left.
  removeCheckout(checkout);
  const checks = await checkCommit(ctx, { commit: committed.commit, ...change.checks }, { keptOn, tolerateBase: change.baseCommit });
  if (change.updatePr) {
    const { number, headBranch: branch, headSha: from } = change.updatePr;
    await advancePrBranch(ctx.paths.repoRoot, { jobId: ctx.job.id, prNumber: number, branch, from, commit: committed.commit });
  }
  return {
    title: change.title,
    body: prBody(change, checks),
    baseBranch: change.baseBranch,
    baseSha: change.baseCommit,
    headBranch,
    headSha: committed.commit,
    risk: change.risk,
    role: change.role,
    scope: change.scope,
    files: committed.files.map((f) => ({ path: f.path, status: f.status, ...(f.oldPath ? { oldPath: f.oldPath } : {}) })),
    checks,
    rfcFor: change.rfcFor,
    rfc: change.rfc,
  };
}

/** The requester's body, then what the reviewer must know about how it was checked. */
function prBody(change: ChangeToPropose, checks: PrChecks): string {
  const notes = [
    ...(checks.baseRed ? [baseRedNote(change.baseBranch, checks.baseRed)] : []),
    ...(change.unpinned ? [`Note: the repository has no lockfile by design (${change.unpinned}): its dependencies were resolved when the checks ran, so another run may get other versions.`] : []),
  ];
  return [change.body, ...notes].filter(Boolean).join("\n\n");
}

/** Said in the PR: its failing checks are the base's (the CI Medic's work), not this change's. */
export function baseRedNote(baseBranch: string, baseRed: BaseRed): string {
  return `Note: ${baseBranch} is red: ${baseRed.checks.join(", ")} fail${baseRed.checks.length === 1 ? "s" : ""} on its commit ${baseRed.sha.slice(0, 12)} the same way, so this change adds no failure (the failing build is a work item of its own).`;
}
