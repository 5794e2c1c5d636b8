import { DEFAULT_AGENT_IDENTITY } from "./commit.ts";
import { git } from "./git.ts";

export type RebaseOutcome = { ok: true; commit: string } | { ok: false; conflicts: string[]; message: string };

/**
 * Replays the commits `upstream..HEAD` of the worktree at `dir` onto `base` (a detached HEAD in a job
 * worktree; never the user's checkout). A conflict aborts the rebase and names the conflicting files.
 */
export async function rebaseOnto(dir: string, base: string, upstream: string): Promise<RebaseOutcome> {
  const r = await git(["rebase", "--no-autostash", "--onto", base, upstream], { cwd: dir, allowFailure: true, timeoutMs: 300_000, identity: DEFAULT_AGENT_IDENTITY });
  if (r.exitCode === 0) {
    const head = await git(["rev-parse", "HEAD"], { cwd: dir });
    return { ok: true, commit: head.stdout.trim() };
  }
  const unmerged = await git(["diff", "--name-only", "--diff-filter=U", "-z"], { cwd: dir, allowFailure: true });
  await git(["rebase", "--abort"], { cwd: dir, allowFailure: true });
  const conflicts = unmerged.stdout.split("\0").filter(Boolean);
  return { ok: false, conflicts, message: (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-20).join("\n") };
}
