import { isAbsolute, resolve } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { git } from "./git.ts";

export interface RepositoryLocation {
  /** The repository's working tree root. */
  repoRoot: string;
  /** `git rev-parse --git-common-dir`, absolute: shared by all worktrees. */
  gitCommonDir: string;
}

/** Finds the repository that contains `cwd` (any subfolder works): its working tree root and git common dir. */
export async function locateRepository(cwd: string): Promise<RepositoryLocation> {
  const result = await git(["rev-parse", "--show-toplevel", "--git-common-dir"], { cwd, allowFailure: true, timeoutMs: 10_000 }).catch(
    (err: unknown) => {
      throw new PushpalsError("git_failed", `could not run git in ${cwd}: ${(err as Error).message}`, {
        hint: "install git (2.25 or newer) and make sure it is on PATH",
      });
    },
  );
  if (result.exitCode !== 0 && /dubious ownership/.test(result.stderr)) {
    // Another OS user's repository (e.g. someone approving through the people's socket): git's own rule.
    const top = /safe\.directory (\S+)/.exec(result.stderr)?.[1] ?? cwd;
    throw new PushpalsError("not_a_repository", `git does not trust ${top}: it belongs to another user`, {
      hint: `if you trust it: git config --global --add safe.directory ${top}`,
    });
  }
  if (result.exitCode !== 0) {
    throw new PushpalsError("not_a_repository", `${cwd} is not inside a git repository`, {
      hint: "cd into your repository (or run `git init` first), or pass --repo PATH",
    });
  }
  const [top, common] = result.stdout.trim().split("\n");
  if (!top || !common) throw new PushpalsError("not_a_repository", `${cwd} has no working tree (bare repository?)`, { hint: "run PushPals from a checkout" });
  return { repoRoot: top, gitCommonDir: isAbsolute(common) ? common : resolve(cwd, common) };
}
