import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockfileUnexplained } from "./lockfile-unexplained.ts";

const dir = mkdtempSync(join(tmpdir(), "pushpals-unexplained-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An npm v3 lockfile locking these packages at these versions, from the registry. */
function lock(versions: Record<string, string>): string {
  const packages: Record<string, unknown> = { "": { name: "app", dependencies: Object.fromEntries(Object.keys(versions).map((n) => [n, "^1.0.0"])) } };
  for (const [name, version] of Object.entries(versions)) {
    packages[`node_modules/${name}`] = { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity: `sha512-${Buffer.from(`${name}${version}`).toString("base64")}` };
  }
  return JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages }, null, 2);
}

// The PR bumped lib-a to 1.1.0; the base, meanwhile, bumped lib-b to 1.1.0.
const sides = new Map([["package-lock.json", { base: lock({ "lib-a": "1.0.0", "lib-b": "1.0.0" }), ours: lock({ "lib-a": "1.1.0", "lib-b": "1.0.0" }), theirs: lock({ "lib-a": "1.0.0", "lib-b": "1.1.0" }) }]]);

test("a regenerated lockfile with each side's own versions is explained", async () => {
  writeFileSync(join(dir, "package-lock.json"), lock({ "lib-a": "1.1.0", "lib-b": "1.1.0" }));
  expect(await lockfileUnexplained(dir, ["package-lock.json"], sides)).toBeNull();
});

test("a package the PR bumped, resolved by the package manager to a version neither side locked, is for a person", async () => {
  writeFileSync(join(dir, "package-lock.json"), lock({ "lib-a": "1.2.0", "lib-b": "1.1.0" }));
  expect(await lockfileUnexplained(dir, ["package-lock.json"], sides)).toEqual({ path: "package-lock.json", why: "the package manager chose lib-a@1.2.0, which neither side locked" });
});

test("a package neither side changed, moved by the regeneration, is for a person", async () => {
  const three = new Map([["package-lock.json", { base: lock({ "lib-a": "1.0.0", "lib-b": "1.0.0", "lib-c": "1.0.0" }), ours: lock({ "lib-a": "1.1.0", "lib-b": "1.0.0", "lib-c": "1.0.0" }), theirs: lock({ "lib-a": "1.0.0", "lib-b": "1.1.0", "lib-c": "1.0.0" }) }]]);
  writeFileSync(join(dir, "package-lock.json"), lock({ "lib-a": "1.1.0", "lib-b": "1.1.0", "lib-c": "1.3.0" }));
  expect(await lockfileUnexplained(dir, ["package-lock.json"], three)).toEqual({ path: "package-lock.json", why: "it changes packages neither side changed" });
});
