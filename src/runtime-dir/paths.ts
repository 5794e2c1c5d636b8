import { join } from "node:path";

export interface RuntimePaths {
  /** The repository's working tree root. */
  repoRoot: string;
  /** `git rev-parse --git-common-dir`, absolute: shared by all worktrees. */
  gitCommonDir: string;
  /** `<git-common-dir>/pushpals`: every runtime file lives here, never in the working tree. */
  runtimeDir: string;
  dbPath: string;
  serverFile: string;
  /** Held by the running server for its whole life (see ServerLock). */
  serverLock: string;
  /** The supervisor (`pushpals start`): its state, and its own lock. */
  supervisorFile: string;
  supervisorLock: string;
  /** One log file per supervised component. */
  logsDir: string;
  worktreesDir: string;
  /** `<runtime>/deps-cache/<key>/node_modules`: installed dependencies shared (read-only) by job worktrees. */
  depsCacheDir: string;
  /** The API for PushPals' own clients (0600, in the 0700 runtime dir): the kernel says who connects. */
  socket: string;
  /** The server's key for component credentials (0600). */
  credentialKey: string;
  /**
   * `<git-common-dir>/pushpals-people`: outside the runtime dir, so other local users can reach its
   * socket when `server.people_group` lets them (group-only modes); hidden from sandboxed commands.
   */
  peopleDir: string;
  /** People's socket: reads, approve, reject and merge requests only, the caller named by the kernel too. */
  peopleSocket: string;
}

/** The runtime paths of a located repository (see `locateRepository` in src/scm/repository.ts). */
export function runtimePathsFor(repoRoot: string, gitCommonDir: string): RuntimePaths {
  const runtimeDir = join(gitCommonDir, "pushpals");
  return {
    repoRoot,
    gitCommonDir,
    runtimeDir,
    dbPath: join(runtimeDir, "pushpals.db"),
    serverFile: join(runtimeDir, "server.json"),
    serverLock: join(runtimeDir, "server.lock"),
    supervisorFile: join(runtimeDir, "supervisor.json"),
    supervisorLock: join(runtimeDir, "supervisor.lock"),
    logsDir: join(runtimeDir, "logs"),
    worktreesDir: join(runtimeDir, "worktrees"),
    depsCacheDir: join(runtimeDir, "deps-cache"),
    socket: join(runtimeDir, "api.sock"),
    credentialKey: join(runtimeDir, "credential.key"),
    peopleDir: join(gitCommonDir, "pushpals-people"),
    peopleSocket: join(gitCommonDir, "pushpals-people", "people.sock"),
  };
}
