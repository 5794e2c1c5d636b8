import { expect, test } from "bun:test";
import { loadedPackages } from "../../test/helpers/loaded-packages.ts";

const PARSERS = ["@yarnpkg/parsers", "yaml"];
const heavy = (script: string) => loadedPackages(script).filter((p) => PARSERS.includes(p));

// Each in a fresh process: this one's readers are shared by every test file that ran before.
test("the registry loads no lockfile reader; each is loaded when its lockfile is first read", () => {
  const registry = 'const { loadLockfileParsers } = await import("./src/ecosystems/lockfile-changes.ts"); await import("./src/ecosystems/registry.ts");';
  expect(heavy(registry)).toEqual([]);
  expect(heavy(`${registry}\nawait loadLockfileParsers(["web/pnpm-lock.yaml", "package.json", null]);`)).toEqual(["yaml"]);
  expect(heavy(`${registry}\nawait loadLockfileParsers(["yarn.lock", "bun.lock"]);`)).toEqual(["@yarnpkg/parsers"]);
});

test("reading a lockfile whose reader was not loaded is a caller's bug (internal), never a verdict", () => {
  const script = [
    'const { loadLockfileParsers, lockfileRedirects } = await import("./src/ecosystems/lockfile-changes.ts");',
    "await loadLockfileParsers(['package-lock.json']);",
    "console.log(JSON.stringify(lockfileRedirects({ path: 'package-lock.json', before: null, after: '{}' })));",
    "try { lockfileRedirects({ path: 'yarn.lock', before: null, after: '' }); } catch (err) { console.log(err.code); }",
  ].join("\n");
  const r = Bun.spawnSync([process.execPath, "-e", script], { cwd: `${import.meta.dir}/../..`, stdout: "pipe", stderr: "pipe" });
  expect(r.stdout.toString().trim().split("\n")).toEqual([JSON.stringify({ ok: true, redirects: [] }), "internal"]);
});
