import { expect, test } from "bun:test";
import { gatesFor } from "./gates.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import type { Policy } from "./policy-schema.ts";
import type { Classification } from "./tiers.ts";
import type { RiskTier } from "../core/risk-tier.ts";

const autoMergePolicy: Policy = { ...DEFAULT_POLICY, low: { ...DEFAULT_POLICY.low, auto_merge: true }, medium: { ...DEFAULT_POLICY.medium, required_approvals: 2 }, high: { require_rfc: true, required_approvals: 3 } };
const of = (tier: RiskTier, rule = "declared"): Classification => ({ tier, reasons: [{ rule, tier, message: "m" }] });

test.each([
  ["low, auto-merge off by default", of("low"), DEFAULT_POLICY, { autoMerge: false, requiredApprovals: 0, requireRfc: false }],
  ["low, auto-merge on", of("low"), autoMergePolicy, { autoMerge: true, requiredApprovals: 0, requireRfc: false }],
  ["medium needs approvals, never auto-merges", of("medium"), autoMergePolicy, { autoMerge: false, requiredApprovals: 2, requireRfc: false }],
  ["high needs an RFC and approvals", of("high"), autoMergePolicy, { autoMerge: false, requiredApprovals: 3, requireRfc: true }],
  ["high without RFC when the policy says so", of("high"), { ...DEFAULT_POLICY, high: { require_rfc: false, required_approvals: 1 } }, { autoMerge: false, requiredApprovals: 1, requireRfc: false }],
  // Not reachable through classifyRisk (policy_file is High) but the gate holds on its own.
  ["a policy file change never auto-merges", of("low", "policy_file"), autoMergePolicy, { autoMerge: false, requiredApprovals: 0, requireRfc: false }],
  // Not reachable either (quarantine_file is Medium at least): a quarantine change always needs a person.
  ["a quarantine change never auto-merges and a person approves it", of("low", "quarantine_file"), autoMergePolicy, { autoMerge: false, requiredApprovals: 2, requireRfc: false }],
  ["a Medium quarantine change takes medium's approvals", { tier: "medium", reasons: [{ rule: "quarantine_file", tier: "medium", message: "m" }] }, DEFAULT_POLICY, { autoMerge: false, requiredApprovals: 1, requireRfc: false }],
  ["a High quarantine change takes high's", { tier: "high", reasons: [{ rule: "quarantine_file", tier: "medium", message: "m" }, { rule: "protected_path", tier: "high", message: "m" }] }, autoMergePolicy, { autoMerge: false, requiredApprovals: 3, requireRfc: true }],
] as [string, Classification, Policy, object][])("%s", (_name, classification, policy, want) => {
  expect(gatesFor(classification, policy)).toEqual({ tier: classification.tier, checks: true, review: true, ...want } as never);
});
