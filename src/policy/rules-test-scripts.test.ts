import { expect, test } from "bun:test";
import type { ClassificationInput, DiffFile } from "./classify-input.ts";
import { classifyRisk } from "./classify-risk.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import type { RiskTier } from "../core/risk-tier.ts";

const f = (path: string, extra: Partial<DiffFile> = {}): DiffFile => ({ path, status: "modified", additions: 1, deletions: 0, ...extra });
const manifest = (before: Record<string, unknown> | null, after: Record<string, unknown> | null): ClassificationInput => ({ files: [f("package.json")], packageJson: { before, after } });
const unprotected = { ...DEFAULT_POLICY, paths: { ...DEFAULT_POLICY.paths, protected: [] } };
const rulesOf = (input: ClassificationInput, policy = DEFAULT_POLICY) => classifyRisk(input, policy).reasons.map((r): [string, RiskTier] => [r.rule, r.tier]);

test("a removed test script, or a changed jest/ava/mocha key in package.json, is at least Medium", () => {
  expect(rulesOf(manifest({ scripts: { test: "vitest run", build: "tsc" } }, { scripts: { build: "tsc" } }))).toEqual([["test_config", "medium"]]);
  expect(rulesOf(manifest({ scripts: { "test:unit": "jest" } }, { scripts: {} }))).toEqual([["test_config", "medium"]]);
  expect(rulesOf(manifest({ jest: { testMatch: ["**/*.test.js"] } }, { jest: { testMatch: ["**/*.test.js"], testPathIgnorePatterns: ["slow"] } }))).toEqual([["test_config", "medium"]]);
  expect(rulesOf(manifest({ name: "a" }, { name: "a", ava: { files: ["x"] } }))).toEqual([["test_config", "medium"]]);
  expect(classifyRisk(manifest({ mocha: { spec: "a" } }, { mocha: { spec: "b" } }), DEFAULT_POLICY).reasons[0]).toMatchObject({ paths: ["package.json"], message: expect.stringContaining("package.json mocha") });
});

test("a changed test script stays High (new_capability.script); other removed scripts and unchanged keys add nothing", () => {
  expect(rulesOf(manifest({ scripts: { test: "bun test" } }, { scripts: { test: "exit 0" } }))).toEqual([["new_capability.script", "high"]]);
  expect(rulesOf(manifest({ scripts: { lint: "eslint ." } }, { scripts: {} }))).toEqual([]);
  expect(rulesOf(manifest({ scripts: { test: "jest" }, jest: { bail: 1 } }, { scripts: { test: "jest" }, jest: { bail: 1 } }))).toEqual([]);
});

test("a test-runner config is Medium even where the policy does not protect it, and High where it does (the default)", () => {
  for (const path of ["vitest.config.ts", "packages/a/jest.config.cjs", "ava.config.js", ".mocharc.yml", "bunfig.toml", "e2e/playwright.config.ts"]) {
    expect(rulesOf({ files: [f(path)] }, unprotected)).toEqual([["test_config", "medium"]]);
  }
  expect(rulesOf({ files: [f("jest.config.js")] })).toEqual([["protected_path", "high"], ["test_config", "medium"]]);
  expect(rulesOf({ files: [f("old.config.js", { status: "renamed", oldPath: "vite.config.js" })] }, unprotected)).toEqual([["test_config", "medium"]]);
  expect(rulesOf({ files: [f("src/vitest-helpers.ts"), f("docs/jest.md"), f("src/vite-plugin.ts")] }, unprotected)).toEqual([]);
});
