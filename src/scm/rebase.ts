import { join } from "node:path";
import { DEFAULT_AGENT_IDENTITY } from "./commit.ts";
import { git } from "./git.ts";
import { migrateObjects } from "./quarantine.ts";
import { hostGit, type JobCheckout } from "./worktree.ts";

export type RebaseOutcome = { ok: true; commit: string } | { ok: false; conflicts: string[]; message: string };

/**
 * Replays the commits `upstream..HEAD` of a fresh job checkout onto `base` with the checkout's host git
 * dir (never the user's checkout, never a `.git` a command wrote: no command has run in it). The new
 * commits are moved into the repository's object store. A conflict aborts the rebase and names the
 * conflicting files.
 */
export async function rebaseOnto(checkout: JobCheckout, base: string, upstream: string): Promise<RebaseOutcome> {
  const host = hostGit(checkout, { timeoutMs: 300_000, identity: DEFAULT_AGENT_IDENTITY });
  const r = await git(["rebase", "--no-autostash", "--onto", base, upstream], { ...host, allowFailure: true });
  if (r.exitCode === 0) {
    const head = await git(["rev-parse", "HEAD"], host);
    migrateObjects(join(checkout.gitDir, "objects"), checkout.objectsDir);
    return { ok: true, commit: head.stdout.trim() };
  }
  const unmerged = await git(["diff", "--name-only", "--diff-filter=U", "-z"], { ...host, allowFailure: true });
  await git(["rebase", "--abort"], { ...host, allowFailure: true });
  const conflicts = unmerged.stdout.split("\0").filter(Boolean);
  return { ok: false, conflicts, message: (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-20).join("\n") };
}
