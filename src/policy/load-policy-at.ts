import { git } from "../scm/git.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import { parsePolicyText, policyHash, POLICY_RELATIVE_PATH, type LoadedPolicy } from "./load-policy.ts";

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
