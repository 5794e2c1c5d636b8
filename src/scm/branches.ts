import { git } from "./git.ts";

/** Job branches: `pushpals/<job-id>`. Earlier attempts' commits are kept under `refs/pushpals/kept/`. */
export function jobBranch(jobId: string): string {
  return `pushpals/${jobId}`;
}

export async function resolveCommit(repoRoot: string, ref: string): Promise<string | null> {
  const r = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 ? r.stdout.trim() : null;
}

/**
 * Points the job's branch at `commit`, by compare-and-swap only. A branch left by an earlier attempt
 * (a crash after the branch was written but before the job reported) is first kept under
 * `refs/pushpals/kept/`, so moving the branch never makes a commit unreachable.
 */
export async function publishJobBranch(repoRoot: string, jobId: string, commit: string): Promise<string> {
  const branch = jobBranch(jobId);
  const ref = `refs/heads/${branch}`;
  const existing = await resolveCommit(repoRoot, ref);
  if (existing === commit) return branch;
  if (!existing) {
    await git(["update-ref", "-m", `pushpals: job ${jobId}`, ref, commit, ""], { cwd: repoRoot });
    return branch;
  }
  await keepCommit(repoRoot, jobId, existing);
  await git(["update-ref", "-m", `pushpals: job ${jobId}`, ref, commit, existing], { cwd: repoRoot });
  return branch;
}

export async function isAncestor(repoRoot: string, ancestor: string, descendant: string): Promise<boolean> {
  const r = await git(["merge-base", "--is-ancestor", ancestor, descendant], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0;
}

/**
 * Moves `refs/heads/<branch>` from `expected` to `next` atomically, only if it still points at
 * `expected` (git's own compare-and-swap). Returns false when the branch moved meanwhile.
 */
export async function compareAndSwapBranch(repoRoot: string, branch: string, next: string, expected: string, reason: string): Promise<boolean> {
  const r = await git(["update-ref", "-m", reason, `refs/heads/${branch}`, next, expected], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0;
}

/** Worktrees outside PushPals' own that have `branch` checked out (the user's checkout, usually). */
export async function worktreesWithBranch(repoRoot: string, branch: string, ownDir: string): Promise<string[]> {
  const r = await git(["worktree", "list", "--porcelain", "-z"], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return [];
  const found: string[] = [];
  let path: string | null = null;
  for (const field of r.stdout.split("\0")) {
    if (field.startsWith("worktree ")) path = field.slice("worktree ".length);
    if (field === `branch refs/heads/${branch}` && path && !path.startsWith(ownDir)) found.push(path);
  }
  return found;
}

/** Every job branch (`pushpals/<job-id>`) with the commit it points at. */
export async function listJobBranches(repoRoot: string): Promise<{ branch: string; jobId: string; sha: string }[]> {
  const r = await git(["for-each-ref", "--format=%(refname:short)%00%(objectname)", "refs/heads/pushpals/"], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [branch = "", sha = ""] = line.split("\0");
      return { branch, jobId: branch.slice("pushpals/".length), sha };
    });
}

/** Makes a commit reachable from `refs/pushpals/kept/<job>/<sha>` (create-only), so nothing PushPals made is ever lost. */
export async function keepCommit(repoRoot: string, jobId: string, commit: string): Promise<string> {
  const ref = `refs/pushpals/kept/${jobId}/${commit}`;
  await git(["update-ref", "-m", `pushpals: kept for ${jobId}`, ref, commit, ""], { cwd: repoRoot, allowFailure: true });
  return ref;
}

/** The branch checked out in the repository, or null on a detached HEAD. */
export async function checkedOutBranch(repoRoot: string): Promise<string | null> {
  const r = await git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}
