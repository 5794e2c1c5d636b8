import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { isAncestor } from "../../scm/branches.ts";
import { commitInfo } from "../../scm/commit-info.ts";
import { revertCommit, revertRange, revertRangeCommits, type RevertOutcome } from "../../scm/revert.ts";
import { removeCheckout, type JobCheckout } from "../../scm/worktree.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import type { RevertCulprit, RevertInput, RevertResult } from "./revert-input.ts";

/** A restored file was in the repository before the PR: its size is not a new file's to bound. */
const RESTORED_FILE_BYTES = 1024 * 1024 * 1024;

const short = (sha: string) => sha.slice(0, 12);

/**
 * `revert`: in a fresh checkout of the base branch's head, `git revert --no-commit` of exactly the
 * commits the PR's merge moved the base by (newest first), with the checkout's host git dir; then the
 * same path as a `run`'s change: the scoped commit, the checks on that exact commit, the PR proposal.
 * A bisect's culprit (`culprit` set, no PR) is the one commit instead (see `revertCulprit`).
 */
export async function revertPr(input: RevertInput, ctx: JobContext): Promise<RevertResult> {
  if (input.culprit) return revertCulprit(input, input.culprit, ctx);
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
  const undo: Undo = {
    what: `PR #${input.prNumber}`,
    command,
    range,
    note: `the ${commits} commit(s) PR #${input.prNumber} landed`,
    run: (checkout) => revertRange(checkout, input.previousBaseSha, input.mergedSha),
    trailers: { "PushPals-Reverts": `#${input.prNumber} ${input.mergedSha}` },
  };
  return revertOnBase(input, undo, ctx);
}

/** How one revert undoes its change in the checkout, and how its messages name it. */
interface Undo {
  /** `PR #7`, `commit 0123456789ab`. */
  what: string;
  command: string;
  range: string;
  note: string;
  run: (checkout: JobCheckout) => Promise<RevertOutcome>;
  trailers: Record<string, string>;
}

/**
 * `revert` of a bisect's culprit: the one commit `mergedSha`, against its first parent `previousBaseSha`
 * (checked here, in the repository: the input names them, git says whether it is so). A merge commit is
 * undone with `-m 1`: what it brought into the line it was merged on, the line bisect searched.
 */
async function revertCulprit(input: RevertInput, culprit: RevertCulprit, ctx: JobContext): Promise<RevertResult> {
  const repo = ctx.paths.repoRoot;
  const commit = await commitInfo(repo, input.mergedSha);
  if (!commit) throw new JobFailure("invalid_input", `commit ${short(input.mergedSha)} is not in this repository: nothing to revert`, { command: `git rev-parse --verify ${input.mergedSha}^{commit}` });
  if (commit.parents[0] !== input.previousBaseSha) {
    throw new JobFailure("invalid_input", `commit ${short(input.mergedSha)}'s first parent is ${commit.parents[0] ? short(commit.parents[0]) : "none (a root commit)"}, not ${short(input.previousBaseSha)}: it is not the change the bisect named`, { command: `git rev-parse ${input.mergedSha}^1` });
  }
  if (!(await isAncestor(repo, input.mergedSha, input.baseCommit))) {
    throw new JobFailure("conflict", `commit ${short(input.mergedSha)} is not on ${input.baseBranch} at ${short(input.baseCommit)}: nothing of it there to revert`, { command: `git merge-base --is-ancestor ${input.mergedSha} ${input.baseCommit}` });
  }
  const merge = commit.parents.length > 1;
  const command = `git revert --no-edit --no-commit ${merge ? "-m 1 " : ""}${input.mergedSha}`;
  return revertOnBase(
    input,
    {
      what: `commit ${short(input.mergedSha)}`,
      command,
      range: input.mergedSha,
      note: `${merge ? "the merge commit" : "the commit"} bisect ${culprit.bisectJobId} found broke ${culprit.check}${merge ? ", against its first parent" : ""}`,
      run: (checkout) => revertCommit(checkout, input.mergedSha, merge),
      trailers: { "PushPals-Reverts": input.mergedSha, "PushPals-Bisect": culprit.bisectJobId },
    },
    ctx,
  );
}

/** In a fresh checkout of the base head: the undo, then the same path as a run's change (`proposeChange`). */
async function revertOnBase(input: RevertInput, undo: Undo, ctx: JobContext): Promise<RevertResult> {
  const repo = ctx.paths.repoRoot;
  const { command, range } = undo;
  const checkout = await jobCheckout(ctx, input.baseCommit);
  try {
    const toRun = await checksAtBase(repo, input.baseCommit);
    await ctx.progress({ step: "revert" }).catch(() => {});
    ctx.log("system", `$ ${command}    # ${undo.note}, on ${input.baseBranch} at ${short(input.baseCommit)}`);
    const reverted = await undo.run(checkout);
    if (!reverted.ok) {
      const evidence = { command, logExcerpt: [`conflicting files: ${reverted.conflicts.join(", ")}`, reverted.message].join("\n").slice(-16_000), paths: reverted.conflicts.slice(0, 1000) };
      if (reverted.conflicts.length === 0) throw new JobFailure("environment", `${command} failed: ${reverted.message.split("\n").at(-1) ?? "see the log"}`, evidence);
      throw new JobFailure("conflict", `${undo.what} no longer reverts cleanly on ${input.baseBranch} at ${short(input.baseCommit)}: ${reverted.conflicts.join(", ")} changed since it merged`.slice(0, 4000), evidence);
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
      trailers: undo.trailers,
    }).catch((err: unknown) => {
      if (!(err instanceof JobFailure) || err.failureClass !== "no_change") throw err;
      throw new JobFailure("no_change", `reverting ${range} changes nothing on ${input.baseBranch} at ${short(input.baseCommit)}: what ${undo.what} changed is already undone there`, { command });
    });
    return { pr };
  } finally {
    removeCheckout(checkout);
  }
}
