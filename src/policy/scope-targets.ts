import { POLICY_FILES } from "./policy-defaults.ts";
import { globMatcher } from "./policy-glob.ts";
import type { Policy } from "./policy-schema.ts";
import { classificationOf, type Classification, type RiskReason } from "./tiers.ts";
import { type RiskTier } from "../core/risk-tier.ts";

/**
 * Classification at enqueue, from the declared write scope: a scope glob that *targets* a protected
 * path (or the policy/config files) makes the change High before any code runs. "Targets" is judged on
 * a representative path of each glob (its wildcards filled in): `src/auth/**` targets `**\/auth/**`,
 * while `src/**` only *could* reach it; the change's actual diff is classified again by the review.
 */
export function classifyScopeTargets(scope: readonly string[], declared: RiskTier, policy: Policy): Classification {
  const isProtected = globMatcher(policy.paths.protected);
  const isPolicyFile = globMatcher([...POLICY_FILES]);
  const reasons: RiskReason[] = declared === "low" ? [] : [{ rule: "declared", tier: declared, message: `declared ${declared}` }];
  const targeted = scope.filter((glob) => isProtected(representative(glob)));
  if (targeted.length) reasons.push({ rule: "protected_path", tier: "high", message: "the write scope targets protected path(s) (paths.protected)", paths: targeted });
  const policyFiles = scope.filter((glob) => isPolicyFile(representative(glob)));
  if (policyFiles.length) reasons.push({ rule: "policy_file", tier: "high", message: "the write scope targets the policy or config file", paths: policyFiles });
  return classificationOf(reasons);
}

/** A path the glob matches, its wildcards filled in: what the glob *targets*. */
export function representative(glob: string): string {
  return glob.replace(/\*\*\/?/g, "x/").replace(/\*/g, "x").replace(/\?/g, "x").replace(/\[[^\]]*\]/g, "x").replace(/\{([^,}]*)[^}]*\}/g, "$1").replace(/\/$/, "/x");
}
