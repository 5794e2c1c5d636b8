import { git } from "./git.ts";
import { createQuarantine } from "./quarantine.ts";

/**
 * Whether merging `head` onto `base` would conflict, and in which files, without touching any ref,
 * index or working tree (`git merge-tree --write-tree`, its objects in a quarantine removed after).
 * null when git cannot tell (too old a git, an unknown commit).
 */
export async function wouldConflict(repoRoot: string, objectsDir: string, base: string, head: string): Promise<string[] | null> {
  // The merged trees and blobs go to a private object directory, removed after: the repository gains nothing.
  const quarantine = createQuarantine(objectsDir);
  let r;
  try {
    r = await git(["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", base, head], { cwd: repoRoot, allowFailure: true, timeoutMs: 60_000, quarantine, noGlobalConfig: true });
  } finally {
    quarantine.cleanup();
  }
  if (r.exitCode === 0) return [];
  if (r.exitCode !== 1) return null;
  // The tree, then the conflicted paths, NUL-separated (an empty field ends the list).
  const [, ...rest] = r.stdout.split("\0");
  const end = rest.indexOf("");
  return [...new Set(end === -1 ? rest : rest.slice(0, end))].filter(Boolean).sort();
}
