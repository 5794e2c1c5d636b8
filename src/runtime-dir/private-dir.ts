import { chmodSync, mkdirSync, statSync } from "node:fs";

/**
 * The runtime directory is the owner's alone (0700): the API socket, the credential key, the database
 * and the job worktrees are in it, so the OS itself keeps other users from connecting or reading.
 * Made so at creation, and tightened if an older PushPals left it open.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) chmodSync(dir, 0o700);
}
