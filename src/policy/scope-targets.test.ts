import { expect, test } from "bun:test";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import { classifyScopeTargets } from "./scope-targets.ts";

test.each([
  [["src/**"], "low", "low"],
  [["docs/*.md", "README.md"], "low", "low"],
  [["src/auth/**"], "low", "high"],
  [["src/auth/login.ts"], "low", "high"],
  [[".github/workflows/ci.yml"], "low", "high"],
  [[".pushpals/policy.toml"], "low", "high"],
  [[".pushpals/**"], "low", "high"],
  // The test quarantine named exactly is Medium (a person approves it), never Low, whatever is declared.
  [[".pushpals/quarantine.toml"], "low", "medium"],
  [[".pushpals/quarantine.toml"], "high", "high"],
  [[".pushpals/*.toml"], "low", "high"],
  [["{.pushpals/quarantine.toml,.pushpals/config.toml}"], "low", "high"],
  [["src/**"], "medium", "medium"],
  // Every alternative of a brace counts, whatever its order.
  [["{src,lib/auth}/**"], "low", "high"],
  [["{.github/workflows,src}/*.yml"], "low", "high"],
  [["{src,lib}/**"], "low", "low"],
] as const)("scope %p declared %s is %s at enqueue", (scope, declared, tier) => {
  expect(classifyScopeTargets(scope, declared, DEFAULT_POLICY).tier).toBe(tier);
});
