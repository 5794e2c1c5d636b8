import { expect, test } from "bun:test";
import { DEFAULT_POLICY } from "../policy/policy-defaults.ts";
import type { Policy } from "../policy/policy-schema.ts";
import { DEFAULT_CONFIG, type PushpalsConfig } from "./schema.ts";
import { auditSettings } from "./settings-audit.ts";

const config = (patch: (c: PushpalsConfig) => void): PushpalsConfig => {
  const c = structuredClone(DEFAULT_CONFIG);
  patch(c);
  return c;
};
const policy = (patch: (p: Policy) => void): Policy => {
  const p = structuredClone(DEFAULT_POLICY);
  patch(p);
  return p;
};
const rules = (findings: ReturnType<typeof auditSettings>) => findings.map((f) => [f.rule, f.severity, f.file]);

test("the defaults weaken nothing", () => {
  expect(auditSettings(DEFAULT_CONFIG, DEFAULT_POLICY)).toEqual([]);
});

test("the sandbox off, network granted, scripts on and plain http to a model are config findings", () => {
  const c = config((c) => {
    c.sandbox.mode = "off";
    c.sandbox.network = ["run"];
    c.install.allow_scripts = true;
    c.models.allow_insecure_http = true;
    c.models.base_url = "http://10.0.0.5:11434/v1";
  });
  expect(rules(auditSettings(c, DEFAULT_POLICY))).toEqual([
    ["sandbox.mode", "high", ".pushpals/config.toml"],
    ["sandbox.network", "medium", ".pushpals/config.toml"],
    ["install.allow_scripts", "medium", ".pushpals/config.toml"],
    ["models.allow_insecure_http", "medium", ".pushpals/config.toml"],
  ]);
  expect(auditSettings(c, DEFAULT_POLICY)[3]!.message).toContain("10.0.0.5:11434");
});

test("auto-merge over a widened Low tier, the RFC gate off, a lowered dependency tier and dropped protected paths are policy findings", () => {
  const p = policy((p) => {
    p.low.auto_merge = true;
    p.low.max_files = 1000;
    p.medium.max_files = 1000;
    p.high.require_rfc = false;
    p.dependencies.tiers.added = "low";
    p.paths.protected = p.paths.protected.filter((g) => !g.startsWith(".github/"));
    p.roles.dependency_steward = ["**"];
    p.network.kinds = ["checks"];
  });
  const found = auditSettings(DEFAULT_CONFIG, p);
  expect(rules(found)).toEqual([
    ["high.require_rfc", "medium", ".pushpals/policy.toml"],
    ["low.auto_merge", "medium", ".pushpals/policy.toml"],
    ["dependencies.tiers.added", "medium", ".pushpals/policy.toml"],
    ["paths.protected", "medium", ".pushpals/policy.toml"],
    ["roles.dependency_steward", "medium", ".pushpals/policy.toml"],
    ["network.kinds", "medium", ".pushpals/policy.toml"],
  ]);
  expect(found.find((f) => f.rule === "paths.protected")!.message).toContain('".github/workflows/**"');
  // Auto-merge of Low changes of the default size is a choice, not a weakened boundary.
  expect(rules(auditSettings(DEFAULT_CONFIG, policy((p) => void (p.low.auto_merge = true))))).toEqual([["low.auto_merge", "low", ".pushpals/policy.toml"]]);
});
