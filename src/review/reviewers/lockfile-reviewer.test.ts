import { expect, test } from "bun:test";
import { changedFile, inputFor } from "../review-fixture.ts";
import type { Finding } from "../review-types.ts";
import { lockfileReviewer } from "./lockfile-reviewer.ts";

const manifest = (deps: Record<string, string>, version = "1.0.0") => `${JSON.stringify({ name: "app", version, dependencies: deps }, null, 2)}\n`;
const OLD = manifest({ zod: "4.0.0" });
const BUMPED = manifest({ zod: "4.1.0" });
const bumpDiff = (path: string) => changedFile(path, '@@ -5 +5 @@\n-    "zod": "4.0.0"\n+    "zod": "4.1.0"\n');
const lockDiff = (path: string) => changedFile(path, '@@ -10 +10 @@\n-      "version": "4.0.0"\n+      "version": "4.1.0"\n');
const summary = (findings: Finding[]) => findings.map((f) => [f.rule, f.severity, f.file, f.line]);

const tarball = (name: string, version: string, host = "registry.npmjs.org") => `https://${host}/${name}/-/${name}-${version}.tgz`;
type Entry = { version: string; resolved?: string; integrity?: string };
/** A package-lock.json v3 as npm writes it: `lockfile({ zod: { version: "4.0.0" } })`. */
function lockfile(packages: Record<string, Entry>): string {
  const entries = Object.entries(packages).map(([name, e]) => [`node_modules/${name}`, { version: e.version, resolved: e.resolved ?? tarball(name, e.version), integrity: e.integrity ?? `sha512-${name}-${e.version}` }]);
  return `${JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app" }, ...Object.fromEntries(entries) } }, null, 2)}\n`;
}
const LOCK_OLD = lockfile({ zod: { version: "4.0.0" }, lodash: { version: "4.17.21" } });
const LOCK_BUMPED = lockfile({ zod: { version: "4.1.0" }, lodash: { version: "4.17.21" } });
const withLock = (old: string, now: string, path = "package-lock.json") => ({ [path]: { old, new: now } });

test("a dependency change with its lockfile passes, in a workspace too, and a dependency role may refresh the lockfile alone", async () => {
  const together = inputFor(bumpDiff("package.json") + lockDiff("package-lock.json"), { contents: { "package.json": { old: OLD, new: BUMPED }, ...withLock(LOCK_OLD, LOCK_BUMPED) } });
  expect(await lockfileReviewer.review(together)).toEqual([]);
  const workspace = inputFor(bumpDiff("packages/web/package.json") + lockDiff("package-lock.json"), { contents: { "packages/web/package.json": { old: OLD, new: BUMPED }, ...withLock(LOCK_OLD, LOCK_BUMPED) } });
  expect(await lockfileReviewer.review(workspace)).toEqual([]);
  expect(await lockfileReviewer.review(inputFor(lockDiff("package-lock.json"), { role: "dependency_steward", contents: withLock(LOCK_OLD, LOCK_BUMPED) }))).toEqual([]);
});

test("dependencies changed without the lockfile request changes at the dependency's line", async () => {
  const input = inputFor(bumpDiff("package.json"), { contents: { "package.json": { old: OLD, new: BUMPED } } });
  expect(summary(await lockfileReviewer.review(input))).toEqual([["lockfile_not_updated", "request_changes", "package.json", 5]]);
  // A lockfile in a subfolder does not cover the root manifest.
  const elsewhere = inputFor(bumpDiff("package.json") + lockDiff("tools/package-lock.json"), { contents: { "package.json": { old: OLD, new: BUMPED }, ...withLock(LOCK_OLD, LOCK_BUMPED, "tools/package-lock.json") } });
  expect(summary(await lockfileReviewer.review(elsewhere))[0]).toEqual(["lockfile_not_updated", "request_changes", "package.json", 5]);
});

test("a lockfile changed alone, or with a manifest change that does not touch installs, blocks outside a dependency role", async () => {
  const yarnOld = '# yarn lockfile v1\n\n\nzod@^4:\n  version "4.0.0"\n  resolved "https://registry.yarnpkg.com/zod/-/zod-4.0.0.tgz"\n';
  const yarnNew = yarnOld.replaceAll("4.0.0", "4.1.0");
  expect(summary(await lockfileReviewer.review(inputFor(lockDiff("yarn.lock"), { role: "coder", contents: withLock(yarnOld, yarnNew, "yarn.lock") })))).toEqual([["lockfile_changed_alone", "block", "yarn.lock", null]]);
  const described = manifest({ zod: "4.0.0" }).replace('"name": "app"', '"name": "app",\n  "description": "x"');
  const cosmetic = inputFor(changedFile("package.json", '@@ -2,0 +3 @@\n+  "description": "x",\n') + lockDiff("package-lock.json"), {
    contents: { "package.json": { old: OLD, new: described }, ...withLock(LOCK_OLD, LOCK_BUMPED) },
  });
  expect(summary(await lockfileReviewer.review(cosmetic))).toEqual([["lockfile_changed_alone", "block", "package-lock.json", null]]);
});

test("a package redirected without a version change blocks at its entry, for the dependency role too", async () => {
  const evil = "https://evil.example/lodash-4.17.21.tgz";
  const redirected = lockfile({ zod: { version: "4.0.0" }, lodash: { version: "4.17.21", resolved: evil, integrity: "sha512-evil" } });
  const findings = await lockfileReviewer.review(inputFor(lockDiff("package-lock.json"), { role: "dependency_steward", contents: withLock(LOCK_OLD, redirected) }));
  const line = redirected.split("\n").findIndex((l) => l.includes('"node_modules/lodash"')) + 1;
  expect(summary(findings)).toEqual([["lockfile_redirected", "block", "package-lock.json", line]]);
  expect(findings[0]?.message).toBe(`package-lock.json redirects lodash@4.17.21: resolved ${tarball("lodash", "4.17.21")} -> ${evil}, integrity sha512-lodash-4.17.21 -> sha512-evil, with no version change`);
  expect(findings[0]?.fixHint).toContain("regenerate the lockfile");
});

test("beside a legitimate update, each redirected package is its own finding", async () => {
  const sneaky = lockfile({
    zod: { version: "4.1.0" },
    lodash: { version: "4.17.21", integrity: "sha512-swapped" },
    "left-pad": { version: "1.3.0", resolved: "git+ssh://git@git.evil.example/left-pad.git#abc" },
  });
  const input = inputFor(bumpDiff("package.json") + lockDiff("package-lock.json"), { role: "codemod", contents: { "package.json": { old: OLD, new: BUMPED }, ...withLock(LOCK_OLD, sneaky) } });
  const findings = await lockfileReviewer.review(input);
  expect(findings.map((f) => [f.rule, f.message.split(" ")[2]])).toEqual([
    ["lockfile_redirected", "left-pad@1.3.0"],
    ["lockfile_redirected", "lodash@4.17.21:"],
  ]);
  expect(findings[0]?.message).toContain("left-pad@1.3.0 added from git+ssh://git@git.evil.example/left-pad.git#abc");
});

test("a lockfile redirecting many packages lists the first ones and sums up the rest", async () => {
  const names = Array.from({ length: 23 }, (_, i) => `p${String(i).padStart(2, "0")}`);
  const lock = (host: string) => lockfile(Object.fromEntries(names.map((n) => [n, { version: "1.0.0", resolved: tarball(n, "1.0.0", host), integrity: `sha512-${n}` }])));
  const findings = await lockfileReviewer.review(inputFor(lockDiff("package-lock.json"), { role: "dependency_steward", contents: withLock(lock("registry.npmjs.org"), lock("mirror.example")) }));
  expect(findings).toHaveLength(21);
  expect(findings.every((f) => f.rule === "lockfile_redirected" && f.severity === "block")).toBe(true);
  expect(findings[20]).toMatchObject({ line: null, message: "package-lock.json redirects 3 more package(s): p20, p21, p22" });
});

test("a lockfile that cannot be read blocks: malformed, binary, or not loaded", async () => {
  const malformed = inputFor(lockDiff("package-lock.json"), { role: "dependency_steward", contents: withLock(LOCK_OLD, "{ not json") });
  expect(summary(await lockfileReviewer.review(malformed))).toEqual([["lockfile_unreadable", "block", "package-lock.json", null]]);
  expect((await lockfileReviewer.review(malformed))[0]?.message).toStartWith("cannot verify what package-lock.json installs: package-lock.json: not valid JSON");
  const baseBroken = inputFor(lockDiff("pnpm-lock.yaml"), { role: "dependency_steward", contents: withLock("packages: [", "lockfileVersion: '9.0'\n", "pnpm-lock.yaml") });
  expect((await lockfileReviewer.review(baseBroken))[0]?.message).toContain("the base version: ");
  const notLoaded = inputFor(lockDiff("bun.lock"), { role: "dependency_steward" });
  expect(summary(await lockfileReviewer.review(notLoaded))).toEqual([["lockfile_unreadable", "block", "bun.lock", null]]);
  const [binary] = inputFor(lockDiff("bun.lockb"), { role: "dependency_steward" }).files;
  const input = inputFor([{ ...binary!, binary: true, hunks: [] }], { role: "dependency_steward" });
  expect((await lockfileReviewer.review(input)).map((f) => [f.rule, f.message])).toEqual([["lockfile_unreadable", "cannot verify what bun.lockb installs: it is binary"]]);
});
