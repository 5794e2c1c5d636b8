import { git } from "./git.ts";

/**
 * Whether merging `head` onto `base` would conflict, and in which files, without touching any ref,
 * index or working tree (`git merge-tree --write-tree`: it only writes objects, which nothing reaches).
 * null when git cannot tell (too old a git, an unknown commit).
 */
export async function wouldConflict(repoRoot: string, base: string, head: string): Promise<string[] | null> {
  const r = await git(["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", base, head], { cwd: repoRoot, allowFailure: true, timeoutMs: 60_000 });
  if (r.exitCode === 0) return [];
  if (r.exitCode !== 1) return null;
  // The tree, then the conflicted paths, NUL-separated (an empty field ends the list).
  const [, ...rest] = r.stdout.split("\0");
  const end = rest.indexOf("");
  return [...new Set(end === -1 ? rest : rest.slice(0, end))].filter(Boolean).sort();
}
