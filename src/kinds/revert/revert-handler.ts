import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { isAncestor } from "../../scm/branches.ts";
import { revertRange, revertRangeCommits } from "../../scm/revert.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import type { RevertInput, RevertResult } from "./revert-input.ts";

/** A restored file was in the repository before the PR: its size is not a new file's to bound. */
const RESTORED_FILE_BYTES = 1024 * 1024 * 1024;

const short = (sha: string) => sha.slice(0, 12);

/**
 * `revert`: in a fresh checkout of the base branch's head, `git revert --no-commit` of exactly the
 * commits the PR's merge moved the base by (newest first), with the checkout's host git dir; then the
 * same path as a `run`'s change: the scoped commit, the checks on that exact commit, the PR proposal.
 */
export async function revertPr(input: RevertInput, ctx: JobContext): Promise<RevertResult> {
  const repo = ctx.paths.repoRoot;
  const range = `${input.previousBaseSha}..${input.mergedSha}`;
  const command = `git revert --no-edit --no-commit ${range}`;
  const { commits, merges } = await revertRangeCommits(repo, input.previousBaseSha, input.mergedSha);
  if (commits === 0) throw new JobFailure("no_change", `PR #${input.prNumber} landed no commit on ${input.baseBranch} (${range} is empty): nothing to revert`, { command: `git rev-list ${range}` });
  if (merges > 0) {
    throw new JobFailure("invalid_input", `${range} holds ${merges} merge commit(s), which no PushPals merge lands (it rebases or fast-forwards): it is not what PR #${input.prNumber} merged as`, { command: `git rev-list --merges ${range}` });
  }
  if (!(await isAncestor(repo, input.mergedSha, input.baseCommit))) {
    throw new JobFailure("conflict", `PR #${input.prNumber}'s merge ${short(input.mergedSha)} is not on ${input.baseBranch} at ${short(input.baseCommit)}: nothing of it there to revert`, { command: `git merge-base --is-ancestor ${input.mergedSha} ${input.baseCommit}` });
  }
  const checkout = await jobCheckout(ctx, input.baseCommit);
  try {
    const toRun = await checksAtBase(repo, input.baseCommit);
    await ctx.progress({ step: "revert" }).catch(() => {});
    ctx.log("system", `$ ${command}    # the ${commits} commit(s) PR #${input.prNumber} landed, on ${input.baseBranch} at ${short(input.baseCommit)}`);
    const reverted = await revertRange(checkout, input.previousBaseSha, input.mergedSha);
    if (!reverted.ok) {
      const evidence = { command, logExcerpt: [`conflicting files: ${reverted.conflicts.join(", ")}`, reverted.message].join("\n").slice(-16_000), paths: reverted.conflicts.slice(0, 1000) };
      if (reverted.conflicts.length === 0) throw new JobFailure("environment", `${command} failed: ${reverted.message.split("\n").at(-1) ?? "see the log"}`, evidence);
      throw new JobFailure("conflict", `PR #${input.prNumber} no longer reverts cleanly on ${input.baseBranch} at ${short(input.baseCommit)}: ${reverted.conflicts.join(", ")} changed since it merged`.slice(0, 4000), evidence);
    }
    if (await ctx.isPaused()) throw new JobParked("paused after the revert; the job runs again with `pushpals resume`");
    const pr = await proposeChange(ctx, checkout, {
      title: input.title,
      body: input.body,
      message: `${input.title}\n\n${input.body}`,
      scope: input.scope,
      maxFileBytes: RESTORED_FILE_BYTES,
      risk: input.risk,
      role: input.role,
      baseBranch: input.baseBranch,
      baseCommit: input.baseCommit,
      rfcFor: null,
      rfc: input.rfc,
      updatePr: null,
      checks: toRun,
      trailers: { "PushPals-Reverts": `#${input.prNumber} ${input.mergedSha}` },
    }).catch((err: unknown) => {
      if (!(err instanceof JobFailure) || err.failureClass !== "no_change") throw err;
      throw new JobFailure("no_change", `reverting ${range} changes nothing on ${input.baseBranch} at ${short(input.baseCommit)}: what PR #${input.prNumber} changed is already undone there`, { command });
    });
    return { pr };
  } finally {
    removeCheckout(checkout);
  }
}
