import { PushpalsError } from "../../core/errors.ts";
import { isAncestor, resolveCommit } from "../../scm/branches.ts";
import { git } from "../../scm/git.ts";

/** A client saying "these are the checks of `branch`" must name a commit of it: a red check becomes that branch's work item. */
export async function verifyOnBranch(repoRoot: string, commit: string, branch: string): Promise<void> {
  // A branch name, never revision syntax (`main@{1}`, `main..x`) that would resolve to something else.
  const name = await git(["check-ref-format", "--branch", branch], { cwd: repoRoot, allowFailure: true });
  if (name.exitCode !== 0 || branch.includes("@{")) {
    throw new PushpalsError("invalid_input", `branch: "${branch}" is not a branch name`, { field: "input.branch" });
  }
  const head = await resolveCommit(repoRoot, `refs/heads/${branch}`);
  if (head && (await isAncestor(repoRoot, commit, head))) return;
  throw new PushpalsError("invalid_input", `branch: ${commit.slice(0, 12)} is not a commit of the branch "${branch}"`, {
    field: "input.branch",
    hint: "leave branch out, or name the branch the commit is on",
  });
}
