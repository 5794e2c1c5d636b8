import { readFileSync } from "node:fs";
import { ServerInfo } from "../api/schemas.ts";
import { readJsonFile, removeOwnJsonFile, writeJsonFile } from "./json-file.ts";

/** Reads `server.json`; a missing or unreadable file means "no server recorded". */
export function readServerInfo(path: string): ServerInfo | null {
  return readJsonFile(path, ServerInfo);
}

export function writeServerInfo(path: string, info: ServerInfo): void {
  writeJsonFile(path, info);
}

/** Removes the file only if it still describes this process (a newer server may have replaced it). */
export function removeServerInfo(path: string, pid: number): void {
  removeOwnJsonFile(path, pid, readServerInfo);
}

/** Alive and not a zombie: an exited process waiting for its (re)parent to reap it counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}
