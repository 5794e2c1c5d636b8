import { lstatSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "../runtime-dir/server-file.ts";

/**
 * Removes the directories in `root` that belong to processes that are gone (killed mid-install or
 * mid-provisioning): `pattern`'s first group is the owning pid in a name (no match: not one of ours). Those of live
 * processes and this one stay; with `ownedOnly`, so do directories another user owns (a shared tmpdir).
 */
export function sweepDeadProcessDirs(root: string, pattern: RegExp, options: { ownedOnly?: boolean } = {}): number {
  let removed = 0;
  for (const name of readdirSync(root)) {
    const pid = Number(pattern.exec(name)?.[1] ?? NaN);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || isProcessAlive(pid)) continue;
    const path = join(root, name);
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (!stat?.isDirectory() || (options.ownedOnly && stat.uid !== process.getuid?.())) continue;
    rmSync(path, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
