import { existsSync, rmSync } from "node:fs";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { isProcessAlive, readServerInfo } from "../runtime-dir/server-file.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import { readSupervisorInfo } from "../runtime-dir/supervisor-file.ts";
import { ok, warn, type Finding } from "./finding.ts";

/**
 * A crashed earlier run leaves `server.json` / `supervisor.json` behind with dead pids. They are
 * removed (with `recover`) and reported as a warning, so `start` prints it. Leases and worktrees need
 * no action here: the server gives running jobs a lease after a restart and its janitor removes
 * worktrees of finished jobs.
 */
export async function recoverStaleRuntime(paths: RuntimePaths, recover: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  const stale: string[] = [];
  // Stale means "its lock is not held": the pid in the file may have been reused by another process.
  const server = ServerLock.isHeld(paths.serverLock) ? null : readServerInfo(paths.serverFile);
  if (server) stale.push(`server.json (pid ${server.pid} ${isProcessAlive(server.pid) ? "is not PushPals any more" : "is gone"})`);
  const supervisor = ServerLock.isHeld(paths.supervisorLock) ? null : readSupervisorInfo(paths.supervisorFile);
  if (supervisor) stale.push(`supervisor.json (pid ${supervisor.pid} ${isProcessAlive(supervisor.pid) ? "is not PushPals any more" : "is gone"})`);
  if (stale.length === 0) return [ok("PP008", "no stale runtime files")];
  if (!recover) return [warn("PP008", `a crashed earlier run left ${stale.join(", ")}`, "`pushpals start` recovers it automatically")];
  if (server && existsSync(paths.serverFile)) rmSync(paths.serverFile, { force: true });
  if (supervisor && existsSync(paths.supervisorFile)) rmSync(paths.supervisorFile, { force: true });
  // A warning, not "ok": `start` shows only a count of ok findings, and a crash is worth seeing.
  findings.push(warn("PP008", `recovered from a crashed earlier run: removed ${stale.join(", ")}`, `see why it crashed in the logs: ${paths.logsDir}`));
  return findings;
}
