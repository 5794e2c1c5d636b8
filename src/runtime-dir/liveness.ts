import type { RuntimePaths } from "./paths.ts";
import { readServerInfo } from "./server-file.ts";
import { ServerLock } from "./server-lock.ts";
import { readSupervisorInfo } from "./supervisor-file.ts";

export interface RuntimeLiveness {
  /** A supervisor (`pushpals start`) holds its lock; its pid from supervisor.json is trustworthy. */
  supervisorPid: number | null;
  /** A server holds its lock; its pid from server.json is trustworthy. */
  serverPid: number | null;
  url: string | null;
}

/** What is really running for this repository: decided by the locks, never by pids alone. */
export function runtimeLiveness(paths: RuntimePaths): RuntimeLiveness {
  const supervisorHeld = ServerLock.isHeld(paths.supervisorLock);
  const serverHeld = ServerLock.isHeld(paths.serverLock);
  const supervisor = supervisorHeld ? readSupervisorInfo(paths.supervisorFile) : null;
  const server = serverHeld ? readServerInfo(paths.serverFile) : null;
  return { supervisorPid: supervisor?.pid ?? null, serverPid: server?.pid ?? null, url: server?.url ?? supervisor?.url ?? null };
}
