import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { ServerInfo } from "../api/schemas.ts";

/** Reads `server.json`; a missing or unreadable file means "no server recorded". */
export function readServerInfo(path: string): ServerInfo | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = ServerInfo.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Atomic write (temp file + rename) so a reader never sees half a file. */
export function writeServerInfo(path: string, info: ServerInfo): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes the file only if it still describes this process (a newer server may have replaced it). */
export function removeServerInfo(path: string, pid: number): void {
  const info = readServerInfo(path);
  if (info && info.pid !== pid) return;
  rmSync(path, { force: true });
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
