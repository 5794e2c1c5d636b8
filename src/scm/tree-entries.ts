import { git } from "./git.ts";

/** One regular file of a commit's tree, as `git ls-tree -r --long` lists it. */
export interface TreeEntry {
  mode: string;
  oid: string;
  size: number;
  path: string;
}

/** `git ls-tree -r -z --long`: "<mode> <type> <oid> <size>\t<path>" per entry; regular blobs only (no link, no submodule). */
export function parseLongTree(out: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of out.split("\0")) {
    const m = /^(\d{6}) (\w+) ([0-9a-f]{40,64}) +(\d+|-)\t(.+)$/s.exec(record);
    if (!m || m[2] !== "blob" || (m[1] !== "100644" && m[1] !== "100755")) continue;
    entries.push({ mode: m[1], oid: m[3]!, size: Number(m[4]), path: m[5]! });
  }
  return entries;
}

/** Every regular file of `commit`'s tree with its blob and size, from the object store (never a working tree), sorted by path. */
export async function treeFiles(repoRoot: string, commit: string): Promise<TreeEntry[]> {
  const listing = await git(["ls-tree", "-r", "-z", "--long", "--full-tree", commit], { cwd: repoRoot, timeoutMs: 120_000 });
  return parseLongTree(listing.stdout).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
