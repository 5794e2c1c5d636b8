import { isAbsolute, join, resolve } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { git } from "../scm/git.ts";

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
}

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
  };
}

/** Finds the repository that contains `cwd` (any subfolder works) and its runtime directory. */
export async function resolveRuntimePaths(cwd: string): Promise<RuntimePaths> {
  const result = await git(["rev-parse", "--show-toplevel", "--git-common-dir"], { cwd, allowFailure: true, timeoutMs: 10_000 }).catch(
    (err: unknown) => {
      throw new PushpalsError("git_failed", `could not run git in ${cwd}: ${(err as Error).message}`, {
        hint: "install git (2.25 or newer) and make sure it is on PATH",
      });
    },
  );
  if (result.exitCode !== 0) {
    throw new PushpalsError("not_a_repository", `${cwd} is not inside a git repository`, {
      hint: "cd into your repository (or run `git init` first), or pass --repo PATH",
    });
  }
  const [top, common] = result.stdout.trim().split("\n");
  if (!top || !common) throw new PushpalsError("not_a_repository", `${cwd} has no working tree (bare repository?)`, { hint: "run PushPals from a checkout" });
  return runtimePathsFor(top, isAbsolute(common) ? common : resolve(cwd, common));
}
