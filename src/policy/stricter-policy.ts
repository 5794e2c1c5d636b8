import { maxTier } from "../core/risk-tier.ts";
import { policyHash, type LoadedPolicy } from "./load-policy.ts";
import { UPDATE_TYPES, type Policy } from "./policy-schema.ts";

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];
const intersection = (a: readonly string[], b: readonly string[]) => a.filter((x) => b.includes(x));

/**
 * The stricter of two policies, rule by rule: more protected paths and denied packages, smaller size
 * limits and write scopes, more approvals, an RFC if either asks, auto-merge only if both allow it,
 * the higher tier for each dependency change, network exemptions only where both grant them. It is
 * what a PR is judged under when its base's policy and the current base's policy differ, so a rule
 * the base gained after the PR was opened still applies to it.
 */
export function stricterPolicy(a: Policy, b: Policy): Policy {
  const roles: Policy["roles"] = {};
  for (const [role, globs] of Object.entries(a.roles)) {
    if (!Object.hasOwn(b.roles, role)) continue;
    roles[role] = intersection(globs, b.roles[role]!);
  }
  const tiers = { ...a.dependencies.tiers };
  for (const type of UPDATE_TYPES) tiers[type] = maxTier(a.dependencies.tiers[type], b.dependencies.tiers[type]);
  return {
    roles,
    paths: { protected: union(a.paths.protected, b.paths.protected), lockfiles: union(a.paths.lockfiles, b.paths.lockfiles) },
    low: { max_files: Math.min(a.low.max_files, b.low.max_files), max_lines: Math.min(a.low.max_lines, b.low.max_lines), auto_merge: a.low.auto_merge && b.low.auto_merge },
    medium: {
      max_files: Math.min(a.medium.max_files, b.medium.max_files),
      max_lines: Math.min(a.medium.max_lines, b.medium.max_lines),
      required_approvals: Math.max(a.medium.required_approvals, b.medium.required_approvals),
    },
    high: { require_rfc: a.high.require_rfc || b.high.require_rfc, required_approvals: Math.max(a.high.required_approvals, b.high.required_approvals) },
    dependencies: {
      tiers,
      min_release_age_days: Math.max(a.dependencies.min_release_age_days, b.dependencies.min_release_age_days),
      denied_packages: union(a.dependencies.denied_packages, b.dependencies.denied_packages),
    },
    network: { kinds: intersection(a.network.kinds, b.network.kinds) },
  };
}

/** Two loaded policies as one: the same file twice is that file; otherwise the stricter of both, with its own hash. */
export function stricterLoaded(a: LoadedPolicy, b: LoadedPolicy): LoadedPolicy {
  if (a.hash === b.hash) return a;
  const policy = stricterPolicy(a.policy, b.policy);
  return { policy, hash: policyHash(policy), source: `the stricter of ${a.source ?? "the defaults"} and ${b.source ?? "the defaults"}` };
}
