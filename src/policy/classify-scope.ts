import { declaredRule } from "./classify-risk.ts";
import { overlapping } from "./glob-overlap.ts";
import { POLICY_FILES } from "./policy-defaults.ts";
import type { Policy } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import { classificationOf, type Classification, type RiskReason } from "./tiers.ts";
import { type RiskTier } from "../core/risk-tier.ts";

/**
 * The tier at enqueue time, from the declared write scope alone (nothing has changed yet): a scope
 * that can reach a protected path, or the policy or config file, is High. The diff's classification
 * later can only raise it (`raiseOnly`).
 */
export function classifyScope(scope: readonly string[], declared: RiskTier | undefined, policy: Policy): Classification {
  const reasons: RiskReason[] = [...declaredRule(declared)];
  const policyFiles = overlapping(scope, POLICY_FILES.map(escapeGlob));
  if (policyFiles.length > 0) {
    const reaching = scope.filter((s) => overlapping([s], policyFiles).length > 0);
    reasons.push({ rule: RULES.policyFile, tier: "high", message: `the scope ${quoted(reaching)} can change ${POLICY_FILES.join(" or ")}`, paths: reaching });
  }
  const protectedGlobs = overlapping(scope, policy.paths.protected);
  if (protectedGlobs.length > 0) {
    const reaching = scope.filter((s) => overlapping([s], protectedGlobs).length > 0);
    reasons.push({
      rule: RULES.protectedPath,
      tier: "high",
      message: `the scope ${quoted(reaching)} can reach protected path(s) ${quoted(protectedGlobs)} (paths.protected)`,
      paths: reaching,
    });
  }
  return classificationOf(reasons);
}

/** A path as a glob that matches exactly it. */
export function escapeGlob(path: string): string {
  return path.replace(/[*?[\]{}\\!]/g, "\\$&");
}

function quoted(globs: readonly string[]): string {
  return globs.map((g) => JSON.stringify(g)).join(", ");
}
