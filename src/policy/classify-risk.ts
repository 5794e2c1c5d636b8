import { manifestsOf, type ClassificationInput } from "./classify-input.ts";
import type { Policy } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import { fileCapabilityRules, networkRules, scriptRule } from "./rules-capability.ts";
import { dependencyChanges, dependencyRules } from "./rules-dependencies.ts";
import { lockfileRedirectRules } from "./rules-lockfile.ts";
import { lockfileOnlyRule, manifestUnreadRule, policyFileRule, protectedPathRule, quarantineFileRule, roleScopeRule, sizeRules } from "./rules-paths.ts";
import { publicApiRule } from "./rules-public-api.ts";
import { testConfigRule } from "./rules-test-scripts.ts";
import { classificationOf, type Classification, type RiskReason } from "./tiers.ts";
import { type RiskTier } from "../core/risk-tier.ts";

/**
 * The risk tier of a change: the highest tier any rule asks for (declared, policy file, test quarantine, protected
 * paths, role scope, lockfile-only, redirected or unreadable lockfiles, size, dependencies, public
 * API, new capabilities), with every rule that fired. Pure and deterministic: the same input and
 * policy give the same answer, reasons in a fixed order.
 */
export function classifyRisk(input: ClassificationInput, policy: Policy): Classification {
  const manifests = manifestsOf(input);
  const deps = dependencyChanges(manifests);
  const reasons: RiskReason[] = [
    ...declaredRule(input.declared),
    ...policyFileRule(input),
    ...quarantineFileRule(input),
    ...protectedPathRule(input, policy),
    ...roleScopeRule(input, policy),
    ...lockfileOnlyRule(input, policy, deps.length > 0),
    ...lockfileRedirectRules(input),
    ...manifestUnreadRule(input, manifests),
    ...sizeRules(input, policy),
    ...dependencyRules(deps, input, policy),
    ...publicApiRule(input, manifests),
    ...scriptRule(manifests),
    ...testConfigRule(input, manifests),
    ...fileCapabilityRules(input),
    ...networkRules(input, policy),
  ];
  return classificationOf(reasons);
}

export function declaredRule(declared: RiskTier | undefined): RiskReason[] {
  if (declared === undefined) return [];
  return [{ rule: RULES.declared, tier: declared, message: `the job declared ${declared} risk` }];
}
