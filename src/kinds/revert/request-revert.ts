import { PushpalsError } from "../../core/errors.ts";
import type { JobService } from "../../jobs/job-service.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import { isAncestor, resolveCommit } from "../../scm/branches.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { landedRange, revertDedupeKey, revertInputFor } from "./revert-request.ts";

/**
 * The base branch's head a revert of `pr` is made on; refused unless the PR is revertable and what it
 * landed is still on that branch (a base rewritten since has no such range to undo).
 */
export async function revertBase(repoRoot: string, pr: PullRequest): Promise<string> {
  const { mergedSha } = landedRange(pr);
  const head = await resolveCommit(repoRoot, `refs/heads/${pr.baseBranch}`);
  if (head && (await isAncestor(repoRoot, mergedSha, head))) return head;
  throw new PushpalsError("conflict", `PR #${pr.number}'s merge ${mergedSha.slice(0, 12)} is not on ${pr.baseBranch}${head ? ` (at ${head.slice(0, 12)})` : " (no such branch)"} any more: there is nothing of it there to revert`, {
    hint: `look at ${pr.baseBranch}'s history (git log ${pr.baseBranch}): it was moved outside PushPals`,
    details: { reason: "not_on_base" },
  });
}

/**
 * `pushpals revert <n>`: the `revert` job, built from the PR record in one transaction with its audit
 * entry. A revert already asked for (its job active, or its PR open) is the same job; a PR whose revert
 * has merged is not reverted twice.
 */
export function requestRevert(jobs: JobService, actor: string, number: number, baseCommit: string): { job: Job; deduped: boolean } {
  return jobs.record((ctx) => {
    const pr = pullRequests(ctx.store).getPullRequest(number);
    if (!pr) throw new PushpalsError("not_found", `no pull request #${number}`, { hint: "list them with `pushpals prs`" });
    const input = revertInputFor(pr, baseCommit);
    const active = ctx.store.findActiveJobByDedupeKey(revertDedupeKey(number));
    if (active) return { job: active, deduped: true };
    const earlier = revertPrOf(ctx, number);
    if (earlier?.state === "open") return { job: ctx.store.getJob(earlier.jobId)!, deduped: true };
    if (earlier?.state === "merged") {
      throw new PushpalsError("conflict", `PR #${number} is already reverted: its revert, PR #${earlier.number}, is merged`, {
        hint: `to bring the change back, revert the revert: pushpals revert ${earlier.number}`,
        details: { reason: "already_reverted", revertPr: earlier.number },
      });
    }
    const queued = jobs.enqueueWithin(ctx, { kind: "revert", input, actor, dedupeKey: revertDedupeKey(number), priority: 5 });
    ctx.audit(actor, "pr.revert_requested", `pr#${number}`, { jobId: queued.job.id, mergedSha: input.mergedSha, previousBaseSha: input.previousBaseSha, baseCommit, risk: input.risk, role: input.role });
    return queued;
  });
}

/** The newest PR a revert of PR #number opened that is still open or merged (a closed one is given up). */
function revertPrOf(ctx: WriteContext, number: number): PullRequest | null {
  const done = ctx.store.listJobs({ kind: "revert", state: "succeeded", limit: 1000, newest: true }).reverse();
  for (const job of done) {
    if ((job.input as { prNumber?: number }).prNumber !== number) continue;
    const pr = pullRequests(ctx.store).getPullRequestByJob(job.id);
    if (pr && pr.state !== "closed") return pr;
  }
  return null;
}
