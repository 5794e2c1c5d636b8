import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { manifestsSha256, workspaceManifests } from "./install-manifests.ts";

const root = tempDir("pushpals-install-manifests-");
afterAll(() => root.cleanup());
let n = 0;

type Pkg = Record<string, unknown>;
const ROOT: Pkg = { name: "app", version: "1.0.0", description: "an app", workspaces: ["packages/*"], dependencies: { "lib-ok": "^1.0.0" }, scripts: { test: "bun test", postinstall: "node setup.js" } };
const LIB: Pkg = { name: "@app/lib", version: "0.1.0", main: "index.js", dependencies: { "left-pad": "1.3.0" } };

function project(rootPkg: Pkg = ROOT, files: Record<string, string> = {}, lib: Pkg = LIB): string {
  const dir = join(root.path, `p${++n}`);
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  };
  put("package.json", JSON.stringify(rootPkg, null, 2));
  put("packages/lib/package.json", JSON.stringify(lib));
  for (const [rel, text] of Object.entries(files)) put(rel, text);
  return dir;
}

const key = (dir: string, allowScripts = false) => manifestsSha256(dir, { allowScripts });
const base = key(project());

describe("the manifests' part of the dependency cache key", () => {
  test("fields an install never reads keep the key: description, the root's version, the test script, main, formatting", () => {
    expect(key(project({ ...ROOT, description: "now with more words" }))).toBe(base);
    expect(key(project({ ...ROOT, version: "2.0.0" }))).toBe(base);
    expect(key(project({ ...ROOT, scripts: { test: "vitest run", postinstall: "node setup.js" } }))).toBe(base);
    expect(key(project(ROOT, {}, { ...LIB, main: "dist/index.js", description: "lib" }))).toBe(base);
    expect(key(project(ROOT, { "package.json": JSON.stringify({ ...ROOT }) }))).toBe(base);
    expect(key(project(ROOT, { "fixtures/demo/package.json": JSON.stringify({ dependencies: { x: "1" } }) }))).toBe(base);
  });

  test("what the install resolves changes it, in the root and in every workspace package", () => {
    const changed = [
      project({ ...ROOT, dependencies: { "lib-ok": "^1.1.0" } }),
      project({ ...ROOT, devDependencies: { typescript: "5.9.3" } }),
      project({ ...ROOT, overrides: { "left-pad": "1.3.1" } }),
      project({ ...ROOT, resolutions: { "left-pad": "1.3.1" } }),
      project({ ...ROOT, pnpm: { overrides: { "left-pad": "1.3.1" } } }),
      project({ ...ROOT, workspaces: ["packages/*", "tools/*"] }),
      project({ ...ROOT, engines: { node: ">=22" } }),
      project({ ...ROOT, packageManager: "npm@11.0.0" }),
      project(ROOT, {}, { ...LIB, dependencies: { "left-pad": "1.3.1" } }),
      project(ROOT, {}, { ...LIB, name: "@app/library" }),
      project(ROOT, {}, { ...LIB, version: "0.2.0" }),
      project(ROOT, {}, { ...LIB, bin: { lib: "cli.js" } }),
      project(ROOT, { "packages/extra/package.json": JSON.stringify({ name: "extra" }) }),
    ].map((dir) => key(dir));
    expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
  });

  test("install lifecycle scripts count only when the install runs them", () => {
    const other = project({ ...ROOT, scripts: { test: "bun test", postinstall: "node other.js" } });
    expect(key(other)).toBe(base);
    expect(key(other, true)).not.toBe(key(project(), true));
    expect(key(project({ ...ROOT, scripts: { test: "vitest", postinstall: "node setup.js" } }), true)).toBe(key(project(), true));
  });

  test("a manifest that does not parse counts whole", () => {
    const a = key(project(ROOT, { "package.json": '{ "name": "app", ' }));
    expect(key(project(ROOT, { "package.json": '{ "name": "app",  ' }))).not.toBe(a);
  });
});

describe("workspace packages", () => {
  test("from workspaces globs ({ packages } too) and pnpm-workspace.yaml, with exclusions, never outside the checkout or in node_modules", () => {
    const dir = project({ name: "r", workspaces: { packages: ["packages/**", "!packages/skip", "../*", "/etc"] } }, {
      "packages/skip/package.json": "{}",
      "packages/lib/node_modules/dep/package.json": "{}",
      "apps/web/package.json": "{}",
      "pnpm-workspace.yaml": "packages:\n  - 'apps/*'\n",
    });
    expect(workspaceManifests(dir, { json: { workspaces: { packages: ["packages/**", "!packages/skip", "../*", "/etc"] } } })).toEqual(["apps/web/package.json", "packages/lib/package.json"]);
  });
});
