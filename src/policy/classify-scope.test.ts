import { describe, expect, test } from "bun:test";
import { classifyScope } from "./classify-scope.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import type { Policy } from "./policy-schema.ts";
import type { RiskTier } from "../core/risk-tier.ts";

const noProtected: Policy = { ...DEFAULT_POLICY, paths: { ...DEFAULT_POLICY.paths, protected: [] } };

const cases: { scope: string[]; declared?: RiskTier; policy?: Policy; tier: RiskTier; reasons: [string, RiskTier][]; paths?: string[] }[] = [
  { scope: ["docs/guide.md", "README.md"], tier: "low", reasons: [] },
  { scope: ["docs/guide.md"], declared: "medium", tier: "medium", reasons: [["declared", "medium"]] },
  { scope: ["docs/*.md"], policy: noProtected, tier: "low", reasons: [] },
  // Sound, not clever: "docs/*.md" can write docs/permissions.md, which "**/*permission*" protects.
  { scope: ["docs/*.md"], tier: "high", reasons: [["protected_path", "high"]] },
  { scope: ["src/utils/*.ts"], tier: "high", reasons: [["protected_path", "high"]], paths: ["src/utils/*.ts"] },
  { scope: ["README.md", "src/**"], declared: "low", tier: "high", reasons: [["declared", "low"], ["protected_path", "high"]], paths: ["src/**"] },
  { scope: [".github/workflows/ci.yml"], tier: "high", reasons: [["protected_path", "high"]] },
  { scope: ["db/migrations/*.sql"], tier: "high", reasons: [["protected_path", "high"]] },
  { scope: ["**"], policy: noProtected, tier: "high", reasons: [["policy_file", "high"]] },
  { scope: [".pushpals/*.toml"], policy: noProtected, tier: "high", reasons: [["policy_file", "high"]], paths: [".pushpals/*.toml"] },
  { scope: [".pushpals/notes.md"], policy: noProtected, tier: "low", reasons: [] },
  { scope: ["**"], tier: "high", reasons: [["policy_file", "high"], ["protected_path", "high"]] },
  { scope: ["package.json", "bun.lock"], tier: "low", reasons: [] },
];

describe("classifyScope: a scope that can reach a protected path is High before anything runs", () => {
  for (const c of cases) {
    test(`${JSON.stringify(c.scope)} declared ${c.declared ?? "-"}`, () => {
      const out = classifyScope(c.scope, c.declared, c.policy ?? DEFAULT_POLICY);
      expect(out.reasons.map((r) => [r.rule, r.tier])).toEqual(c.reasons);
      expect(out.tier).toBe(c.tier);
      if (c.paths) expect(out.reasons.find((r) => r.rule !== "declared")?.paths).toEqual(c.paths);
    });
  }

  test("the message names the scope glob and the protected globs it reaches", () => {
    const out = classifyScope(["lib/**"], undefined, DEFAULT_POLICY);
    expect(out.reasons[0]!.message).toContain('"lib/**"');
    expect(out.reasons[0]!.message).toContain('"**/auth/**"');
    expect(out.reasons[0]!.message).not.toContain(".gitlab-ci.yml");
  });
});
