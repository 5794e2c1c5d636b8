import { git } from "../scm/git.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import { parsePolicyText, policyHash, POLICY_RELATIVE_PATH, type LoadedPolicy } from "./load-policy.ts";
import { stricterLoaded } from "./stricter-policy.ts";

/**
 * The policy as committed at `commit` (the base a change is judged against), never the working tree
 * and never the change's own copy: a PR that edits the policy cannot loosen its own gates.
 */
export async function loadPolicyAt(repoRoot: string, commit: string): Promise<LoadedPolicy> {
  const spec = `${commit}:${POLICY_RELATIVE_PATH}`;
  const r = await git(["cat-file", "blob", spec], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return { policy: structuredClone(DEFAULT_POLICY), hash: policyHash(DEFAULT_POLICY), source: null };
  const policy = parsePolicyText(r.stdout, `${POLICY_RELATIVE_PATH} at ${commit.slice(0, 12)}`);
  return { policy, hash: policyHash(policy), source: spec };
}

/**
 * The policy a PR is judged under: the stricter of the one committed at the commit it was made on and
 * the one at its base branch now (a path the base protects since the PR was opened is protected for it
 * too). Without the branch (it was deleted), the PR's own base commit decides.
 */
export async function loadPrPolicy(repoRoot: string, baseSha: string, baseBranch: string): Promise<LoadedPolicy> {
  const atBase = await loadPolicyAt(repoRoot, baseSha);
  const head = await git(["rev-parse", "--verify", "--quiet", "--end-of-options", `refs/heads/${baseBranch}^{commit}`], { cwd: repoRoot, allowFailure: true });
  const now = head.stdout.trim();
  if (head.exitCode !== 0 || !now || now === baseSha) return atBase;
  return stricterLoaded(atBase, await loadPolicyAt(repoRoot, now));
}
