import { DEFAULT_AGENT_IDENTITY } from "./commit.ts";
import { git } from "./git.ts";
import { hostGit, type JobCheckout } from "./worktree.ts";

export type RevertOutcome = { ok: true } | { ok: false; conflicts: string[]; message: string };

/** The commits of `from..to` (what landed on the base), and how many of them are merge commits. */
export async function revertRangeCommits(repoRoot: string, from: string, to: string): Promise<{ commits: number; merges: number }> {
  const count = async (extra: string[]) => Number((await git(["rev-list", "--count", ...extra, `${from}..${to}`], { cwd: repoRoot })).stdout.trim());
  return { commits: await count([]), merges: await count(["--merges"]) };
}

/**
 * Undoes the commits `from..to` in a fresh job checkout, newest first, with the checkout's host git dir
 * (no commit: the caller makes the one scoped commit of the result). A conflict names the files; the
 * checkout is the caller's to remove.
 */
export async function revertRange(checkout: JobCheckout, from: string, to: string): Promise<RevertOutcome> {
  return revertIn(checkout, [`${from}..${to}`]);
}

/**
 * Undoes one commit in a fresh job checkout (no commit), with the checkout's host git dir. A merge commit
 * is undone against its first parent (`-m 1`): what it brought into the line it was merged on.
 */
export async function revertCommit(checkout: JobCheckout, commit: string, merge: boolean): Promise<RevertOutcome> {
  return revertIn(checkout, [...(merge ? ["-m", "1"] : []), commit]);
}

async function revertIn(checkout: JobCheckout, what: string[]): Promise<RevertOutcome> {
  const host = hostGit(checkout, { timeoutMs: 300_000, identity: DEFAULT_AGENT_IDENTITY });
  const r = await git(["revert", "--no-edit", "--no-commit", ...what], { ...host, allowFailure: true });
  if (r.exitCode === 0) return { ok: true };
  const unmerged = await git(["diff", "--name-only", "--diff-filter=U", "-z"], { ...host, allowFailure: true });
  await git(["revert", "--abort"], { ...host, allowFailure: true });
  const conflicts = unmerged.stdout.split("\0").filter(Boolean);
  return { ok: false, conflicts, message: [r.stdout.trim(), r.stderr.trim()].filter(Boolean).join("\n").split("\n").slice(-20).join("\n") };
}
