import { beforeAll, describe, expect, test } from "bun:test";
import { loadLockfileParsers } from "../ecosystems/lockfile-changes.ts";
import { LOCKFILE_NAMES } from "../ecosystems/registry.ts";
import type { ClassificationInput, DiffFile } from "./classify-input.ts";
import { classifyRisk } from "./classify-risk.ts";
import { DEFAULT_POLICY } from "./policy-defaults.ts";
import type { Policy } from "./policy-schema.ts";
import type { RiskTier } from "../core/risk-tier.ts";

const f = (path: string, extra: Partial<DiffFile> = {}): DiffFile => ({ path, status: "modified", additions: 1, deletions: 0, ...extra });
const many = (n: number, lines = 1): DiffFile[] => Array.from({ length: n }, (_, i) => f(`src/f${i}.ts`, { additions: lines }));
const pkg = (deps: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({ name: "app", dependencies: deps, ...extra });
const lockText = (version: string, host = "registry.npmjs.org", integrity = `sha512-${version}`) =>
  JSON.stringify({ lockfileVersion: 3, packages: { "": {}, "node_modules/a": { version, resolved: `https://${host}/a/-/a-${version}.tgz`, integrity } } });
const lock = (before: string | null, after: string | null, path = "package-lock.json") => ({ path, before, after });
const withPolicy = (change: (p: Policy) => void): Policy => {
  const p = structuredClone(DEFAULT_POLICY);
  change(p);
  return p;
};

interface Case {
  name: string;
  input: ClassificationInput;
  policy?: Policy;
  tier: RiskTier;
  /** Every reason, as [rule, tier], in order. */
  reasons: [string, RiskTier][];
  paths?: Record<string, string[]>;
}

const cases: Case[] = [
  // nothing and declared
  { name: "a small ordinary change is low with no reasons", input: { files: [f("src/a.ts")] }, tier: "low", reasons: [] },
  { name: "declared low is kept as a reason", input: { declared: "low", files: [f("src/a.ts")] }, tier: "low", reasons: [["declared", "low"]] },
  { name: "declared medium", input: { declared: "medium", files: [f("src/a.ts")] }, tier: "medium", reasons: [["declared", "medium"]] },
  { name: "declared high", input: { declared: "high", files: [] }, tier: "high", reasons: [["declared", "high"]] },

  // policy files: hard-coded, whatever paths.protected says
  { name: "policy.toml changed", input: { files: [f(".pushpals/policy.toml")] }, policy: withPolicy((p) => (p.paths.protected = [])), tier: "high", reasons: [["policy_file", "high"]], paths: { policy_file: [".pushpals/policy.toml"] } },
  { name: "config.toml renamed away", input: { files: [f("old-config.toml", { status: "renamed", oldPath: ".pushpals/config.toml" })] }, policy: withPolicy((p) => (p.paths.protected = [])), tier: "high", reasons: [["policy_file", "high"]] },
  { name: "policy.toml with the default policy is also a protected path", input: { files: [f(".pushpals/policy.toml")] }, tier: "high", reasons: [["policy_file", "high"], ["protected_path", "high"]] },

  // the test quarantine: Medium (never lower), hard-coded; .pushpals/** does not make it High, naming it does
  { name: "the quarantine file alone is Medium", input: { files: [f(".pushpals/quarantine.toml")] }, tier: "medium", reasons: [["quarantine_file", "medium"]], paths: { quarantine_file: [".pushpals/quarantine.toml"] } },
  { name: "the quarantine file, declared low, is still Medium", input: { declared: "low", files: [f(".pushpals/quarantine.toml", { status: "added" })] }, tier: "medium", reasons: [["declared", "low"], ["quarantine_file", "medium"]] },
  { name: "the quarantine file with no protected paths is still Medium", input: { files: [f(".pushpals/quarantine.toml")] }, policy: withPolicy((p) => (p.paths.protected = [])), tier: "medium", reasons: [["quarantine_file", "medium"]] },
  { name: "the quarantine file deleted is Medium", input: { files: [f(".pushpals/quarantine.toml", { status: "deleted" })] }, tier: "medium", reasons: [["quarantine_file", "medium"]] },
  { name: "the quarantine file by the CI Medic's role is Medium", input: { role: "ci_medic", files: [f(".pushpals/quarantine.toml")] }, tier: "medium", reasons: [["quarantine_file", "medium"]] },
  { name: "the CI Medic's role outside the quarantine file is High", input: { role: "ci_medic", files: [f(".pushpals/quarantine.toml"), f("src/a.ts")] }, tier: "high", reasons: [["quarantine_file", "medium"], ["role_scope", "high"]], paths: { role_scope: ["src/a.ts"] } },
  { name: "the quarantine file named in paths.protected is High", input: { files: [f(".pushpals/quarantine.toml")] }, policy: withPolicy((p) => p.paths.protected.push(".pushpals/quarantine.toml")), tier: "high", reasons: [["quarantine_file", "medium"], ["protected_path", "high"]] },
  { name: "the quarantine file with the config is High", input: { files: [f(".pushpals/quarantine.toml"), f(".pushpals/config.toml")] }, tier: "high", reasons: [["policy_file", "high"], ["quarantine_file", "medium"], ["protected_path", "high"]], paths: { protected_path: [".pushpals/config.toml"] } },
  { name: "another file under .pushpals/ stays High", input: { files: [f(".pushpals/quarantine.toml.bak")] }, tier: "high", reasons: [["protected_path", "high"]] },
  { name: "the quarantine file renamed away is High where it went", input: { files: [f(".pushpals/q.toml", { status: "renamed", oldPath: ".pushpals/quarantine.toml" })] }, tier: "high", reasons: [["quarantine_file", "medium"], ["protected_path", "high"]], paths: { protected_path: [".pushpals/q.toml"] } },
  { name: "another case of the quarantine path is an ordinary protected path", input: { files: [f(".pushpals/Quarantine.toml")] }, tier: "high", reasons: [["protected_path", "high"]] },

  // protected paths
  ...(["src/auth/login.ts", "lib/user-permissions.ts", "db/migrations/001.sql", ".github/workflows/ci.yml", ".gitlab-ci.yml", ".ci/run.sh", "Dockerfile", "infra/main.tf", ".npmrc", "scripts/release.sh"].map(
    (path): Case => ({ name: `protected ${path}`, input: { files: [f(path)] }, tier: "high", reasons: [["protected_path", "high"]], paths: { protected_path: [path] } }),
  )),
  { name: "renamed out of a protected path", input: { files: [f("archive/001.sql", { status: "renamed", oldPath: "migrations/001.sql" })] }, tier: "high", reasons: [["protected_path", "high"]], paths: { protected_path: ["migrations/001.sql"] } },
  { name: "a custom protected path", input: { files: [f("secrets/key.txt")] }, policy: withPolicy((p) => p.paths.protected.push("secrets/**")), tier: "high", reasons: [["protected_path", "high"]] },

  // role scope
  { name: "role within its scope", input: { role: "docs_writer", files: [f("docs/guide.md")] }, tier: "low", reasons: [] },
  { name: "role outside its scope", input: { role: "docs_writer", files: [f("docs/guide.md"), f("src/a.ts")] }, tier: "high", reasons: [["role_scope", "high"]], paths: { role_scope: ["src/a.ts"] } },
  { name: "unknown role", input: { role: "intern", files: [f("src/a.ts")] }, tier: "high", reasons: [["role_scope", "high"]] },

  // lockfile only
  { name: "lockfile changed with no dependency change", input: { files: [f("bun.lock")], packageJson: { before: pkg(), after: pkg() } }, tier: "high", reasons: [["lockfile_only", "high"]], paths: { lockfile_only: ["bun.lock"] } },
  { name: "lockfile changed by the dependency role", input: { role: "dependency_steward", files: [f("bun.lock")] }, tier: "low", reasons: [] },
  { name: "lockfile changed with a dependency change", input: { files: [f("package.json"), f("bun.lock")], packageJson: { before: pkg({ a: "^1.0.0" }), after: pkg({ a: "^1.0.1" }) } }, tier: "low", reasons: [["dependency.patch", "low"]] },
  { name: "Cargo.lock with Cargo.toml", input: { files: [f("Cargo.toml"), f("Cargo.lock")] }, tier: "low", reasons: [] },
  { name: "a deleted lockfile is not lockfile-only", input: { files: [f("yarn.lock", { status: "deleted" })] }, tier: "low", reasons: [] },

  // lockfile redirection: every role, the dependency role too
  { name: "a resolved host changed by the dependency role", input: { role: "dependency_steward", files: [f("package-lock.json")], lockfiles: [lock(lockText("1.0.0"), lockText("1.0.0", "evil.example"))] }, tier: "high", reasons: [["lockfile.redirected", "high"]], paths: { "lockfile.redirected": ["package-lock.json"] } },
  { name: "an integrity swapped beside a patch update", input: { files: [f("package.json"), f("package-lock.json")], packageJson: { before: pkg({ b: "1.0.0" }), after: pkg({ b: "1.0.1" }) }, lockfiles: [lock(lockText("1.0.0"), lockText("1.0.0", undefined, "sha512-evil"))] }, tier: "high", reasons: [["lockfile.redirected", "high"], ["dependency.patch", "low"]] },
  { name: "a version bump on the registry is no redirection", input: { role: "dependency_steward", files: [f("package-lock.json")], lockfiles: [lock(lockText("1.0.0"), lockText("1.0.1"))] }, tier: "low", reasons: [] },
  { name: "a lockfile that does not parse cannot be verified", input: { role: "dependency_steward", files: [f("yarn.lock")], lockfiles: [lock(null, "a@^1 1.0.0", "yarn.lock")] }, tier: "high", reasons: [["lockfile.unreadable", "high"]], paths: { "lockfile.unreadable": ["yarn.lock"] } },
  { name: "a lockfile too large to read cannot be verified", input: { role: "dependency_steward", files: [f("bun.lock")], lockfiles: [{ ...lock(null, null, "bun.lock"), unread: "over 16777216 bytes" }] }, tier: "high", reasons: [["lockfile.unreadable", "high"]] },
  { name: "a deleted lockfile redirects nothing", input: { role: "dependency_steward", files: [f("package-lock.json", { status: "deleted" })], lockfiles: [lock(lockText("1.0.0"), null)] }, tier: "low", reasons: [] },

  // size (lockfiles not counted)
  { name: "files at the low limit", input: { files: many(10) }, tier: "low", reasons: [] },
  { name: "files over low", input: { files: many(11) }, tier: "medium", reasons: [["size.files", "medium"]] },
  { name: "files over medium", input: { files: many(41) }, tier: "high", reasons: [["size.files", "high"]] },
  { name: "lines at the low limit", input: { files: [f("src/a.ts", { additions: 150, deletions: 50 })] }, tier: "low", reasons: [] },
  { name: "lines over low", input: { files: [f("src/a.ts", { additions: 150, deletions: 51 })] }, tier: "medium", reasons: [["size.lines", "medium"]] },
  { name: "lines over medium", input: { files: [f("src/a.ts", { additions: 1001 })] }, tier: "high", reasons: [["size.lines", "high"]] },
  { name: "lockfile lines are not counted", input: { role: "dependency_steward", files: [f("package-lock.json", { additions: 5000, deletions: 4000 })] }, tier: "low", reasons: [] },
  { name: "custom limits", input: { files: many(3) }, policy: withPolicy((p) => (p.low.max_files = 2)), tier: "medium", reasons: [["size.files", "medium"]] },

  // dependencies
  ...([
    ["^1.0.0", "^1.0.1", "patch", "low"],
    ["^1.0.0", "^1.1.0", "minor", "medium"],
    ["^1.0.0", "^2.0.0", "major", "high"],
    [undefined, "^1.0.0", "added", "high"],
    ["^1.0.0", undefined, "removed", "medium"],
    ["^1.0.0", "git+https://example.com/a.git", "other", "high"],
  ] as [string | undefined, string | undefined, string, RiskTier][]).map(([before, after, type, tier]): Case => ({
    name: `dependency ${type}`,
    input: { files: [f("package.json")], packageJson: { before: pkg(before ? { a: before } : {}), after: pkg(after ? { a: after } : {}) } },
    tier,
    reasons: [[`dependency.${type}`, tier]],
    paths: { [`dependency.${type}`]: ["package.json"] },
  })),
  { name: "dependency tiers follow the policy", input: { files: [f("package.json")], packageJson: { before: pkg({ a: "1.0.0" }), after: pkg({ a: "1.1.0" }) } }, policy: withPolicy((p) => (p.dependencies.tiers.minor = "low")), tier: "low", reasons: [["dependency.minor", "low"]] },
  { name: "devDependencies count", input: { files: [f("package.json")], packageJson: { before: { devDependencies: { t: "^1.0.0" } }, after: { devDependencies: { t: "^3.0.0" } } } }, tier: "high", reasons: [["dependency.major", "high"]] },
  { name: "overrides changed", input: { files: [f("package.json")], packageJson: { before: pkg(), after: pkg({}, { overrides: { a: "1.0.0" } }) } }, tier: "high", reasons: [["dependency.other", "high"]] },
  { name: "denied package", input: { files: [f("package.json")], packageJson: { before: pkg({ "@evil/x": "1.0.0" }), after: pkg({ "@evil/x": "1.0.1" }) } }, policy: withPolicy((p) => (p.dependencies.denied_packages = ["@evil/*"])), tier: "high", reasons: [["dependency.patch", "low"], ["dependency.denied", "high"]] },
  { name: "a too-fresh release", input: { files: [f("package.json")], packageJson: { before: pkg({ a: "1.0.0" }), after: pkg({ a: "1.0.1" }) }, releaseAgeDays: { a: 1 } }, tier: "high", reasons: [["dependency.patch", "low"], ["dependency.release_age", "high"]] },
  { name: "an old enough release", input: { files: [f("package.json")], packageJson: { before: pkg({ a: "1.0.0" }), after: pkg({ a: "1.0.1" }) }, releaseAgeDays: { a: 3 } }, tier: "low", reasons: [["dependency.patch", "low"]] },
  { name: "a package.json the caller did not read", input: { files: [f("packages/x/package.json")] }, tier: "high", reasons: [["manifest.unread", "high"]] },

  // public API
  ...(["exports", "main", "types", "bin"].map((field): Case => ({
    name: `package.json ${field} changed`,
    input: { files: [f("package.json")], packageJson: { before: pkg({}, { [field]: "./a.js" }), after: pkg({}, { [field]: "./b.js" }) } },
    tier: "medium",
    reasons: [["public_api", "medium"]],
    paths: { public_api: ["package.json"] },
  }))),
  { name: "a type declaration file", input: { files: [f("types/api.d.ts")] }, tier: "medium", reasons: [["public_api", "medium"]], paths: { public_api: ["types/api.d.ts"] } },
  { name: "index.* at the package root", input: { files: [f("index.js")] }, tier: "medium", reasons: [["public_api", "medium"]] },
  { name: "index.* below the root is not public by itself", input: { files: [f("src/util/index.ts")] }, tier: "low", reasons: [] },
  { name: "index.* at a nested package root", input: { files: [f("packages/x/index.ts")], packageRoots: ["", "packages/x"] }, tier: "medium", reasons: [["public_api", "medium"]] },
  { name: "a file main points at", input: { files: [f("src/main.ts")], packageJson: { before: pkg({}, { main: "./src/main.ts" }), after: pkg({}, { main: "./src/main.ts" }) } }, tier: "medium", reasons: [["public_api", "medium"]], paths: { public_api: ["src/main.ts"] } },
  { name: "a file an exports pattern matches", input: { files: [f("features/a/b.js")], packageJson: { before: null, after: null }, manifests: [{ path: "package.json", before: { exports: { "./features/*": { import: "./features/*.js" } } }, after: { exports: { "./features/*": { import: "./features/*.js" } } } }] }, tier: "medium", reasons: [["public_api", "medium"]] },
  { name: "a new package", input: { files: [f("packages/y/package.json", { status: "added" })], manifests: [{ path: "packages/y/package.json", before: null, after: { name: "y" } }] }, tier: "medium", reasons: [["public_api", "medium"]] },

  // new capabilities
  { name: "a new script", input: { files: [f("package.json")], packageJson: { before: pkg(), after: pkg({}, { scripts: { postinstall: "node x.js" } }) } }, tier: "high", reasons: [["new_capability.script", "high"]] },
  { name: "a changed script", input: { files: [f("package.json")], packageJson: { before: pkg({}, { scripts: { test: "bun test" } }), after: pkg({}, { scripts: { test: "true" } }) } }, tier: "high", reasons: [["new_capability.script", "high"]] },
  { name: "a removed script", input: { files: [f("package.json")], packageJson: { before: pkg({}, { scripts: { x: "y" } }), after: pkg({}, { scripts: {} }) } }, tier: "low", reasons: [] },
  { name: "an added binary", input: { files: [f("tool.wasm", { status: "added", binary: true, additions: 0 })] }, tier: "high", reasons: [["new_capability.binary", "high"]] },
  { name: "a deleted binary", input: { files: [f("tool.wasm", { status: "deleted", binary: true })] }, tier: "low", reasons: [] },
  { name: "an added executable", input: { files: [f("tools/run.sh", { status: "added", executable: true })] }, tier: "medium", reasons: [["new_capability.executable", "medium"]] },
  { name: "the executable bit set on a file", input: { files: [f("tools/run.sh", { executable: true })] }, tier: "medium", reasons: [["new_capability.executable", "medium"]] },
  { name: "an executable that stays executable", input: { files: [f("tools/run.sh", { executable: true, oldExecutable: true })] }, tier: "low", reasons: [] },
  { name: "a network grant the policy does not allow", input: { files: [f("src/a.ts")], networkKinds: ["run"] }, tier: "high", reasons: [["new_capability.network", "high"]] },
  { name: "a network grant the policy allows", input: { files: [f("src/a.ts")], networkKinds: ["run"] }, policy: withPolicy((p) => (p.network.kinds = ["run"])), tier: "low", reasons: [] },
  ...([
    ["src/a.ts", "const r = await fetch(url);"],
    ["src/a.ts", 'import http from "node:http";'],
    ["src/a.mjs", 'const net = require("net");'],
    ["src/a.ts", "Bun.serve({ fetch() {} })"],
    ["tools/x.py", "import requests"],
    ["tools/x.sh", "curl -s https://example.com | sh"],
  ].map(([path, line]): Case => ({ name: `network use: ${line}`, input: { files: [f(path!)], patches: [{ path: path!, added: [line!], removed: [] }] }, tier: "high", reasons: [["new_capability.network", "high"]], paths: { "new_capability.network": [path!] } }))),
  { name: "a network call moved, not added", input: { files: [f("src/a.ts")], patches: [{ path: "src/a.ts", added: ["  await fetch(url)"], removed: ["await fetch(url)"] }] }, tier: "low", reasons: [] },
  { name: "fetch( in a markdown file", input: { files: [f("docs/a.md")], patches: [{ path: "docs/a.md", added: ["call fetch(url)"], removed: [] }] }, tier: "low", reasons: [] },

  // combinations: the max wins, every reason is kept
  { name: "protected path and medium size", input: { files: [f("src/auth/x.ts", { additions: 300 })] }, tier: "high", reasons: [["protected_path", "high"], ["size.lines", "medium"]] },
  { name: "declared low, public API and medium size", input: { declared: "low", files: [f("types/a.d.ts"), ...many(11)] }, tier: "medium", reasons: [["declared", "low"], ["size.files", "medium"], ["public_api", "medium"]] },
  { name: "declared high over low findings", input: { declared: "high", files: [f("package.json")], packageJson: { before: pkg({ a: "1.0.0" }), after: pkg({ a: "1.0.1" }) } }, tier: "high", reasons: [["declared", "high"], ["dependency.patch", "low"]] },
  { name: "a minor update with a new script", input: { files: [f("package.json"), f("bun.lock")], packageJson: { before: pkg({ a: "1.0.0" }), after: pkg({ a: "1.1.0" }, { scripts: { b: "c" } }) } }, tier: "high", reasons: [["dependency.minor", "medium"], ["new_capability.script", "high"]] },
];

// The classifier reads lockfiles synchronously: classificationInputFromGit loads their readers first, as here.
beforeAll(() => loadLockfileParsers(LOCKFILE_NAMES));

describe("classifyRisk", () => {
  for (const c of cases) {
    test(c.name, () => {
      const out = classifyRisk(c.input, c.policy ?? DEFAULT_POLICY);
      expect(out.reasons.map((r) => [r.rule, r.tier])).toEqual(c.reasons);
      expect(out.tier).toBe(c.tier);
      for (const r of out.reasons) expect(r.message.length).toBeGreaterThan(0);
      for (const [rule, paths] of Object.entries(c.paths ?? {})) {
        expect(out.reasons.find((r) => r.rule === rule)?.paths).toEqual(paths);
      }
    });
  }

  test("deterministic: the order of the files does not change the answer", () => {
    const files = [f("src/auth/a.ts"), f("b.d.ts"), f("lib/migrations/1.sql"), ...many(12)];
    const input: ClassificationInput = { files, declared: "low" };
    const a = classifyRisk(input, DEFAULT_POLICY);
    const b = classifyRisk({ ...input, files: [...files].reverse() }, DEFAULT_POLICY);
    expect(b).toEqual(a);
    expect(classifyRisk(input, DEFAULT_POLICY)).toEqual(a);
  });

  test("the input is not modified", () => {
    const input: ClassificationInput = { files: [f("src/auth/z.ts"), f("src/auth/a.ts")], packageJson: { before: pkg({ a: "1" }), after: pkg({ a: "2" }) } };
    const copy = structuredClone(input);
    classifyRisk(input, DEFAULT_POLICY);
    expect(input).toEqual(copy);
  });
});
