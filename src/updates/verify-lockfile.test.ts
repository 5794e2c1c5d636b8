import { expect, test } from "bun:test";
import { lockfileFindings } from "./verify-lockfile.ts";

const REGISTRY = "https://registry.npmjs.org";

function npmLock(packages: Record<string, { version: string; resolved?: string; dependencies?: Record<string, string> }>): string {
  const entries = Object.fromEntries(
    Object.entries(packages).map(([name, p]) => [`node_modules/${name}`, { version: p.version, resolved: p.resolved ?? `${REGISTRY}/${name}/-/${name}-${p.version}.tgz`, integrity: `sha512-${name}${p.version}`, ...(p.dependencies ? { dependencies: p.dependencies } : {}) }]),
  );
  return JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app", dependencies: { a: "^1.0.0", c: "^1.0.0" } }, ...entries } });
}

const before = npmLock({ a: { version: "1.0.0" }, c: { version: "1.0.0" } });

test("an update and its new dependency are in scope, from the registry: no finding", async () => {
  const after = npmLock({ a: { version: "1.1.0", dependencies: { b: "^1.0.0" } }, b: { version: "1.0.0" }, c: { version: "1.0.0" } });
  expect(await lockfileFindings("package-lock.json", before, after, ["a"])).toEqual({ outOfScope: [], redirects: [] });
});

test("a package the update does not explain is out of scope", async () => {
  const after = npmLock({ a: { version: "1.1.0" }, c: { version: "1.2.0" } });
  const found = await lockfileFindings("package-lock.json", before, after, ["a"]);
  expect(found.outOfScope).toEqual([{ name: "c", key: "node_modules/c", change: "changed", from: "1.0.0", to: "1.2.0" }]);
});

test("a planted resolved URL off the registry is caught, even on the updated package itself", async () => {
  const after = npmLock({ a: { version: "1.1.0", resolved: "https://evil.example/a-1.1.0.tgz" }, c: { version: "1.0.0" } });
  const found = await lockfileFindings("package-lock.json", before, after, ["a"]);
  expect(found.outOfScope).toEqual([]);
  expect(found.redirects.map((r) => [r.name, r.reason])).toEqual([["a", "new_source"]]);
});

test("a lockfile that does not parse after the update is an error, never 'no finding'", async () => {
  await expect(lockfileFindings("package-lock.json", before, "{ not json", ["a"])).rejects.toThrow();
});
