import { expect, test } from "bun:test";
import { type FixturePackage, lockfileCases, registryTarball } from "../lockfile-fixture.ts";
import { parseNpmLockfile } from "./npm-lockfile.ts";

/** A `packages` entry (v2, v3) as npm writes it: a directory dependency is a link with no version. */
function packageEntry(p: FixturePackage): Record<string, unknown> {
  const s = p.source;
  if (s.kind === "file") return { resolved: s.path, link: true };
  const resolved = s.kind === "registry" ? registryTarball(p.name, p.version, s.host) : s.kind === "tarball" ? s.url : `git+${s.repo}#${s.commit}`;
  return { version: p.version, resolved, ...(s.kind === "git" ? {} : { integrity: p.integrity }) };
}

/** A v1 `dependencies` entry: a directory dependency's version is its `file:` spec. */
function legacyEntry(p: FixturePackage): Record<string, unknown> {
  if (p.source.kind === "file") return { version: `file:${p.source.path}` };
  const { link: _link, ...entry } = packageEntry(p);
  return entry;
}

function render(version: 1 | 2 | 3, packages: FixturePackage[], reorder: boolean): string {
  const list = reorder ? [...packages].reverse() : packages;
  const lock: Record<string, unknown> = { name: "app", version: "1.0.0", lockfileVersion: version, requires: true };
  if (version >= 2) {
    const root = { name: "app", version: "1.0.0", dependencies: Object.fromEntries(list.map((p) => [p.name, `^${p.version}`])) };
    lock.packages = { "": root, ...Object.fromEntries(list.map((p) => [`node_modules/${p.name}`, packageEntry(p)])) };
  }
  if (version <= 2) lock.dependencies = Object.fromEntries(list.map((p) => [p.name, legacyEntry(p)]));
  return `${JSON.stringify(lock, null, reorder ? "\t" : 2)}\n`;
}

const MALFORMED = ["{ not json", "[]", '{ "lockfileVersion": 3, "packages": [] }', '{ "lockfileVersion": 3, "packages": { "node_modules/a": "1.0.0" } }', '{ "lockfileVersion": "3" }'];

for (const version of [1, 2, 3] as const) {
  lockfileCases({ label: `package-lock.json v${version}`, fileName: "package-lock.json", render: (p, o) => render(version, p, o.reorder), malformed: MALFORMED });
}
lockfileCases({ label: "npm-shrinkwrap.json", fileName: "npm-shrinkwrap.json", render: (p, o) => render(3, p, o.reorder), malformed: MALFORMED });

test("install paths, aliases, links and nested v1 copies as npm writes them", () => {
  const lock = {
    lockfileVersion: 3,
    packages: {
      "": { name: "app" },
      "node_modules/aliased": { name: "alpha", version: "1.1.0", resolved: "https://registry.npmjs.org/alpha/-/alpha-1.1.0.tgz", integrity: "sha512-a" },
      "node_modules/gamma/node_modules/@s/b": { version: "1.0.0" },
      "node_modules/ws": { resolved: "packages/ws", link: true },
      "packages/ws": { version: "0.0.1" },
    },
  };
  expect(parseNpmLockfile(JSON.stringify(lock), "package-lock.json")).toEqual([
    { key: "node_modules/aliased", name: "alpha", version: "1.1.0", resolved: "https://registry.npmjs.org/alpha/-/alpha-1.1.0.tgz", integrity: "sha512-a" },
    { key: "node_modules/gamma/node_modules/@s/b", name: "@s/b", version: "1.0.0", resolved: null, integrity: null },
    { key: "node_modules/ws", name: "ws", version: null, resolved: "link:packages/ws", integrity: null },
    { key: "packages/ws", name: "ws", version: "0.0.1", resolved: null, integrity: null },
  ]);
  const v1 = { lockfileVersion: 1, dependencies: { a: { version: "npm:real@1.0.0", dependencies: { b: { version: "github:u/b#abc" } } } } };
  expect(parseNpmLockfile(JSON.stringify(v1), "package-lock.json")).toEqual([
    { key: "node_modules/a", name: "real", version: "npm:real@1.0.0", resolved: "npm:real@1.0.0", integrity: null },
    { key: "node_modules/a/node_modules/b", name: "b", version: "github:u/b#abc", resolved: "github:u/b#abc", integrity: null },
  ]);
});

test("each entry's dependencies: its dependencies, optional and peer ones, an alias by its target; v1 from `requires`", () => {
  const lock = {
    lockfileVersion: 3,
    packages: {
      "": { name: "app", dependencies: { a: "^1.0.0" }, devDependencies: { t: "^1.0.0" } },
      "node_modules/a": { version: "1.0.0", dependencies: { z: "^1.0.0", old: "npm:@s/real@^2.0.0" }, optionalDependencies: { fsevents: "^2.3.0" }, peerDependencies: { react: ">=17", z: "^1.0.0" } },
      "node_modules/z": { version: "1.0.0" },
      "packages/ws": { version: "0.0.1", dependencies: { a: "^1.0.0" }, devDependencies: { t: "^1.0.0" } },
    },
  };
  expect(parseNpmLockfile(JSON.stringify(lock), "package-lock.json").map((p) => [p.key, p.dependencies])).toEqual([
    ["node_modules/a", ["@s/real", "fsevents", "react", "z"]],
    ["node_modules/z", undefined],
    ["packages/ws", ["a"]],
  ]);
  const v1 = { lockfileVersion: 1, dependencies: { a: { version: "1.0.0", requires: { b: "^1.0.0", old: "npm:real@^1.0.0" }, dependencies: { b: { version: "1.0.0" } } } } };
  expect(parseNpmLockfile(JSON.stringify(v1), "package-lock.json").map((p) => [p.key, p.dependencies])).toEqual([
    ["node_modules/a", ["b", "real"]],
    ["node_modules/a/node_modules/b", undefined],
  ]);
});
