import { describe, expect, test } from "bun:test";
import { classificationOf, raiseOnly, type Classification, type RiskReason } from "./tiers.ts";
import { maxTier, type RiskTier } from "../core/risk-tier.ts";

const reason = (rule: string, tier: RiskTier): RiskReason => ({ rule, tier, message: `${rule} at ${tier}` });
const at = (tier: RiskTier, ...rules: string[]): Classification => classificationOf(rules.map((r) => reason(r, tier)));

describe("maxTier", () => {
  test.each([
    [[], "low"],
    [["low"], "low"],
    [["medium", "low"], "medium"],
    [["low", "high", "medium"], "high"],
  ] as [RiskTier[], RiskTier][])("%p -> %p", (tiers, want) => {
    expect(maxTier(...tiers)).toBe(want);
  });
});

describe("raiseOnly: the tier rises, never falls, and reasons accumulate", () => {
  const cases: [Classification, Classification, RiskTier][] = [
    [at("low", "declared"), at("medium", "size.files"), "medium"],
    [at("high", "protected_path"), at("low", "declared"), "high"],
    [at("medium", "public_api"), at("low"), "medium"],
    [at("high", "policy_file"), at("medium", "size.lines"), "high"],
    [at("low"), at("low"), "low"],
  ];
  for (const [previous, next, want] of cases) {
    test(`${previous.tier} then ${next.tier} -> ${want}`, () => {
      const out = raiseOnly(previous, next);
      expect(out.tier).toBe(want);
      expect(out.reasons).toEqual([...previous.reasons, ...next.reasons]);
    });
  }

  test("a reason seen at both steps is kept once", () => {
    const a = at("high", "protected_path");
    expect(raiseOnly(a, a).reasons).toEqual(a.reasons);
  });

  test("along enqueue -> diff -> merged candidate the tier never goes down", () => {
    const steps = [at("medium", "declared"), at("low"), at("high", "new_capability.network"), at("low")];
    let current = steps[0]!;
    for (const step of steps.slice(1)) {
      const next = raiseOnly(current, step);
      expect(maxTier(current.tier, next.tier)).toBe(next.tier);
      current = next;
    }
    expect(current.tier).toBe("high");
  });
});
