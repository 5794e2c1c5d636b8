import { JobFailure } from "../core/job-failure.ts";
import { compareAndSwapBranch, keepCommit, resolveCommit } from "./branches.ts";
import { git } from "./git.ts";

export interface PrBranchMove {
  /** The job that made `commit` (its trailer `PushPals-Job` tells its own earlier attempts apart). */
  jobId: string;
  prNumber: number;
  branch: string;
  /** The PR's recorded head: the branch moves only from there. */
  from: string;
  commit: string;
}

/**
 * Moves an open PR's branch from its recorded head to the job's new commit, by compare-and-swap. An
 * earlier attempt of the same job that moved it and died before reporting is replaced (its commit kept
 * under `refs/pushpals/kept/`); any other move wins, and this commit is kept and the job ends `conflict`.
 */
export async function advancePrBranch(repoRoot: string, move: PrBranchMove): Promise<string> {
  const { branch, from, commit, jobId, prNumber } = move;
  const reason = `pushpals: update PR #${prNumber} (job ${jobId})`;
  if (await compareAndSwapBranch(repoRoot, branch, commit, from, reason)) return branch;
  const now = await resolveCommit(repoRoot, `refs/heads/${branch}`);
  if (now === commit) return branch;
  if (now && (await isEarlierAttempt(repoRoot, jobId, now, from))) {
    await keepCommit(repoRoot, jobId, now);
    if (await compareAndSwapBranch(repoRoot, branch, commit, now, reason)) return branch;
  }
  const kept = await keepCommit(repoRoot, jobId, commit);
  throw new JobFailure("conflict", `PR #${prNumber}'s branch ${branch} moved from ${from.slice(0, 12)} to ${now?.slice(0, 12) ?? "(deleted)"} while this job ran; its commit is kept as ${kept}`, {
    command: `git update-ref refs/heads/${branch} ${commit} ${from}`,
  });
}

async function isEarlierAttempt(repoRoot: string, jobId: string, commit: string, parent: string): Promise<boolean> {
  const r = await git(["log", "-1", "--format=%P%n%B", commit], { cwd: repoRoot, allowFailure: true });
  const [parents = "", ...body] = r.stdout.split("\n");
  // The first parent: a Conflict Resolver's merge commit has the base as its second.
  return parents.trim().split(" ")[0] === parent && body.some((line) => line.trim() === `PushPals-Job: ${jobId}`);
}
