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
  const targeted = scope.filter((glob) => representatives(glob).some(isProtected));
  if (targeted.length) reasons.push({ rule: "protected_path", tier: "high", message: "the write scope targets protected path(s) (paths.protected)", paths: targeted });
  const policyFiles = scope.filter((glob) => representatives(glob).some(isPolicyFile));
  if (policyFiles.length) reasons.push({ rule: "policy_file", tier: "high", message: "the write scope targets the policy or config file", paths: policyFiles });
  return classificationOf(reasons);
}

/** One representative path per alternative of the glob's braces: `{src,auth}/**` targets both. */
export function representatives(glob: string): string[] {
  return expandBraces(glob).map(representative);
}

const MAX_ALTERNATIVES = 64;

/** `a{b,c{d,e}}f` as `abf`, `acdf`, `acef` (at most 64); an escaped `\\{` is a brace, not a group. */
export function expandBraces(glob: string): string[] {
  let open = -1;
  let depth = 0;
  const cuts: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i];
    if (ch === "\\") {
      i++;
      continue;
    }
    if (ch === "{") {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === "," && depth === 1) {
      cuts.push(i);
    } else if (ch === "}" && depth > 0 && --depth === 0) {
      const bounds = [open, ...cuts, i];
      const rest = glob.slice(i + 1);
      const parts = bounds.slice(0, -1).map((start, k) => glob.slice(start + 1, bounds[k + 1]));
      return parts.flatMap((part) => expandBraces(glob.slice(0, open) + part + rest)).slice(0, MAX_ALTERNATIVES);
    }
  }
  return [glob];
}

/** A path the glob matches, its wildcards filled in: what the glob *targets*. */
export function representative(glob: string): string {
  return glob.replace(/\*\*\/?/g, "x/").replace(/\*/g, "x").replace(/\?/g, "x").replace(/\[[^\]]*\]/g, "x").replace(/\{([^,}]*)[^}]*\}/g, "$1").replace(/\/$/, "/x");
}
