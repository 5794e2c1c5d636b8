import { git } from "../scm/git.ts";
import { ConfigLayer } from "./schema.ts";

export interface DetectedBranch {
  branch: string;
  /** Where the name came from, shown to the user. */
  source: string;
}

export const FALLBACK_BASE_BRANCH = "main";

/**
 * The branch checks and PRs should target: the remote's default branch (`origin/HEAD`), else the branch
 * checked out now, else "main". Only names the config schema accepts are proposed.
 */
export async function detectBaseBranch(repoRoot: string): Promise<DetectedBranch> {
  const remote = await symbolicRef(repoRoot, "refs/remotes/origin/HEAD");
  const fromRemote = remote?.replace(/^origin\//, "") ?? null;
  if (fromRemote && isBranchName(fromRemote)) return { branch: fromRemote, source: "origin/HEAD" };
  const current = await symbolicRef(repoRoot, "HEAD");
  if (current && isBranchName(current)) return { branch: current, source: "the current branch; origin/HEAD is not set" };
  return { branch: FALLBACK_BASE_BRANCH, source: "default; origin/HEAD is not set and HEAD is detached" };
}

async function symbolicRef(cwd: string, ref: string): Promise<string | null> {
  const result = await git(["symbolic-ref", "--quiet", "--short", ref], { cwd, allowFailure: true, timeoutMs: 10_000 });
  const name = result.stdout.trim();
  return result.exitCode === 0 && name ? name : null;
}

function isBranchName(name: string): boolean {
  return ConfigLayer.safeParse({ repo: { base_branch: name } }).success;
}
