import { existsSync, lstatSync, mkdirSync, symlinkSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULT_AGENT_IDENTITY } from "./commit.ts";
import { git, gitBytes } from "./git.ts";
import { hostGit, type JobCheckout } from "./worktree.ts";

export interface MergeIn {
  /** Paths git left conflicted (after rerere reused any resolution recorded before). */
  conflicted: string[];
  /** Paths rerere resolved from a resolution recorded earlier (a person's, in this repository). */
  reused: string[];
}

/**
 * Merges `base` into a fresh job checkout of a PR's head (`git merge --no-commit --no-ff`), with the
 * checkout's host git dir: nothing has run in the checkout, no hook runs, nothing is committed. rerere is
 * on, with the repository's own `rr-cache` (a resolution a person recorded once, in their checkout, is
 * reused here): the checkout's git dir links to it. What stays conflicted is left in the working tree
 * and the index's stages for the strategies.
 */
export async function mergeInto(checkout: JobCheckout, base: string): Promise<MergeIn> {
  shareRerereCache(checkout);
  const host = hostGit(checkout, { timeoutMs: 300_000, identity: DEFAULT_AGENT_IDENTITY });
  const rerere = ["-c", "rerere.enabled=true", "-c", "rerere.autoUpdate=true"];
  // Git's own text merge, the same on every machine: no global config (its conflict style, its merge drivers).
  const merged = await git([...rerere, "merge", "--no-commit", "--no-ff", "--no-edit", "--no-verify", "--end-of-options", base], { ...host, allowFailure: true, noGlobalConfig: true });
  // Nothing later may record a resolution from this worktree (a command runs in it next): the link goes now.
  unshareRerereCache(checkout);
  const conflicted = await unmerged(checkout);
  if (merged.exitCode !== 0 && conflicted.length === 0 && !/Automatic merge failed|Resolved '|Staged '|rerere/i.test(merged.stdout + merged.stderr)) {
    throw new Error(`git merge ${base.slice(0, 12)} failed: ${(merged.stderr || merged.stdout).trim().split("\n").slice(-5).join("; ")}`);
  }
  // With rerere.autoUpdate git says "Staged '<path>' using previous resolution." (it adds the file to the
  // index); without it, "Resolved '<path>' ...".
  const reused = [...(merged.stdout + merged.stderr).matchAll(/^(?:Staged|Resolved) '(.+)' using previous resolution\.$/gm)].map((m) => m[1]!);
  return { conflicted, reused };
}

/** The paths still unmerged in the checkout's index. */
export async function unmerged(checkout: Pick<JobCheckout, "dir" | "gitDir">): Promise<string[]> {
  const r = await git(["diff", "--name-only", "--diff-filter=U", "-z"], { ...hostGit(checkout), allowFailure: true });
  return [...new Set(r.stdout.split("\0").filter(Boolean))].sort();
}

/** A conflicted path's side: 1 the merge base, 2 ours (the PR's head), 3 theirs (the base); null when that side has no such file. */
export async function stageText(checkout: Pick<JobCheckout, "dir" | "gitDir">, stage: 1 | 2 | 3, path: string): Promise<string | null> {
  const r = await gitBytes(["show", `:${stage}:${path}`], { ...hostGit(checkout), allowFailure: true });
  return r.exitCode === 0 ? new TextDecoder().decode(r.stdout) : null;
}

/** Marks resolved paths as merged in the checkout's index (the working tree holds their resolution). */
export async function markResolved(checkout: Pick<JobCheckout, "dir" | "gitDir">, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  await git(["--literal-pathspecs", "add", "--", ...paths], hostGit(checkout));
}

function unshareRerereCache(checkout: Pick<JobCheckout, "gitDir">): void {
  const own = join(checkout.gitDir, "rr-cache");
  if (lstatSync(own, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(own);
}

function shareRerereCache(checkout: Pick<JobCheckout, "gitDir" | "objectsDir">): void {
  const shared = join(dirname(checkout.objectsDir), "rr-cache");
  const own = join(checkout.gitDir, "rr-cache");
  if (!existsSync(shared)) mkdirSync(shared, { recursive: true, mode: 0o755 });
  if (lstatSync(own, { throwIfNoEntry: false })) return;
  symlinkSync(shared, own);
}
