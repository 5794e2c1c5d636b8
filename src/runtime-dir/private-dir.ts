import { chmodSync, lstatSync, mkdirSync } from "node:fs";
import { PushpalsError } from "../core/errors.ts";

/**
 * The runtime directory is the owner's alone (0700): the API socket, the credential key, the database
 * and the job worktrees are in it, so the OS itself keeps other users from connecting or reading.
 * Made so at creation, and tightened if an older PushPals left it open.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Another user's directory (or a symlink to one) would let them swap the socket, the key or server.json.
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid)) {
    throw new PushpalsError("forbidden", `${dir} is ${stat.isSymbolicLink() ? "a symbolic link" : stat.isDirectory() ? `owned by uid ${stat.uid}, not this user` : "not a directory"}: PushPals keeps its socket, key and database only in a directory of its own`, {
      hint: `move it out of the way (mv ${dir} ${dir}.bak) and start again`,
    });
  }
  if ((stat.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}
