import { expect, test } from "bun:test";
import { DEFAULT_HOST, type FixturePackage, lockfileCases, registryTarball } from "../lockfile-fixture.ts";
import { parseBunLockfile } from "./bun-lockfile.ts";

/** An entry as Bun 1.4 writes it (checked against `bun install --lockfile-only` on a local registry). */
function entry(p: FixturePackage): unknown[] {
  const s = p.source;
  if (s.kind === "registry") return [`${p.name}@${p.version}`, s.host === DEFAULT_HOST ? "" : registryTarball(p.name, p.version, s.host), {}, p.integrity];
  if (s.kind === "tarball") return [`${p.name}@${s.url}`, {}, p.integrity];
  if (s.kind === "git") return [`${p.name}@git+${s.repo}#${s.commit}`, {}, s.commit];
  return [`${p.name}@file:${s.path}`, {}];
}

/** Bun's layout: one entry per line, a blank line between entries, trailing commas. */
function render(packages: FixturePackage[], reorder: boolean): string {
  const list = reorder ? [...packages].reverse() : packages;
  const deps = list.map((p) => `        "${p.name}": "^${p.version}",\n`).join("");
  const entries = list.map((p) => `    "${p.name}": ${JSON.stringify(entry(p)).replaceAll('","', '", "').replaceAll(',{', ", {")},\n`).join(reorder ? "" : "\n");
  return `{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": {\n      "name": "app",\n      "dependencies": {\n${deps}      },\n    },\n  },\n  "packages": {\n${entries}  }\n}\n`;
}

lockfileCases({
  label: "bun.lock",
  fileName: "bun.lock",
  render: (p, o) => render(p, o.reorder),
  malformed: ['{ "lockfileVersion": 1, "packages": { "a": ', '{ "packages": {} }', '{ "lockfileVersion": 1, "packages": { "a": { "version": "1.0.0" } } }', '{ "lockfileVersion": 1, "packages": { "a": ["a@1.0.0", {}, "sha512-x"] } }', '{ "lockfileVersion": 1, "packages": { "a": ["a"] } }'],
});

test("every entry form Bun writes, read from a lockfile it made (registry on 127.0.0.1, git, folders, tarballs, workspaces)", () => {
  const text = `{
  "lockfileVersion": 2,
  "configVersion": 1,
  "workspaces": { "": { "name": "app" }, "packages/ws": { "name": "ws", "version": "0.0.1" } },
  "packages": {
    "@scope/beta": ["@scope/beta@2.0.0", "http://127.0.0.1:34267/@scope/beta/-/beta-2.0.0.tgz", { "dependencies": { "alpha": "^1.0.0" } }, "sha512-b"],
    "aliased": ["alpha@1.1.0", "", {}, "sha512-a"],
    "gitdep": ["gitdep@git+file:///tmp/gitdep#703cc52e", {}, "703cc52e"],
    "lnk": ["localdir@link:./vendor/localdir", {}],
    "localdir": ["localdir@file:vendor/localdir", {}],
    "tarb": ["alpha@http://127.0.0.1:34267/alpha/-/alpha-1.0.0.tgz", {}, "sha512-t"],
    "tgz": ["tiny@./vendor/tiny-1.0.0.tgz", {}, "sha512-l"],
    "ws": ["ws@workspace:packages/ws"],
    "gamma/alpha": ["alpha@1.0.0", "", {}, "sha512-n"],
  }
}`;
  expect(parseBunLockfile(text, "bun.lock").map((p) => [p.key, p.name, p.version, p.resolved, p.integrity])).toEqual([
    ["@scope/beta", "@scope/beta", "2.0.0", "http://127.0.0.1:34267/@scope/beta/-/beta-2.0.0.tgz", "sha512-b"],
    ["aliased", "alpha", "1.1.0", null, "sha512-a"],
    ["gitdep", "gitdep", null, "git+file:///tmp/gitdep#703cc52e", "703cc52e"],
    ["lnk", "localdir", null, "link:./vendor/localdir", null],
    ["localdir", "localdir", null, "file:vendor/localdir", null],
    ["tarb", "alpha", null, "http://127.0.0.1:34267/alpha/-/alpha-1.0.0.tgz", "sha512-t"],
    ["tgz", "tiny", null, "./vendor/tiny-1.0.0.tgz", "sha512-l"],
    ["ws", "ws", null, "workspace:packages/ws", null],
    ["gamma/alpha", "alpha", "1.0.0", null, "sha512-n"],
  ]);
});

test("bun.lockb is binary: unreadable, whatever it holds", () => {
  expect(() => parseBunLockfile("#!/usr/bin/env bun\nbun-lockfile-format-v0\n", "bun.lockb")).toThrow(/binary lockfile/);
});

test("each entry's dependencies, read from its info in every entry form, an alias by its target", () => {
  const text = `{
  "lockfileVersion": 1,
  "workspaces": { "": { "name": "app", "dependencies": { "a": "^1.0.0" } } },
  "packages": {
    "a": ["a@1.0.0", "", { "dependencies": { "b": "^1.0.0", "old": "npm:@s/real@^2.0.0" }, "optionalDependencies": { "fsevents": "^2.3.0" }, "peerDependencies": { "react": "*" }, "optionalPeers": ["react"] }, "sha512-a"],
    "b": ["b@1.0.0", "", {}, "sha512-b"],
    "gitdep": ["gitdep@github:u/gitdep#703cc52", { "dependencies": { "b": "^1.0.0" } }, "u-gitdep-703cc52"],
    "localdir": ["localdir@file:vendor/localdir", { "dependencies": { "c": "^1.0.0" } }],
    "tgz": ["tiny@./vendor/tiny-1.0.0.tgz", { "peerDependencies": { "d": "^1.0.0" } }, "sha512-l"],
    "ws": ["ws@workspace:packages/ws"],
  }
}`;
  expect(parseBunLockfile(text, "bun.lock").map((p) => [p.key, p.dependencies])).toEqual([
    ["a", ["@s/real", "b", "fsevents", "react"]],
    ["b", undefined],
    ["gitdep", ["b"]],
    ["localdir", ["c"]],
    ["tgz", ["d"]],
    ["ws", undefined],
  ]);
});
