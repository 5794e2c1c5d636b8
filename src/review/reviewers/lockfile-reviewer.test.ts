import { expect, test } from "bun:test";
import { changedFile, inputFor } from "../review-fixture.ts";
import { lockfileReviewer } from "./lockfile-reviewer.ts";

const manifest = (deps: Record<string, string>, version = "1.0.0") => `${JSON.stringify({ name: "app", version, dependencies: deps }, null, 2)}\n`;
const OLD = manifest({ zod: "4.0.0" });
const BUMPED = manifest({ zod: "4.1.0" });
const bumpDiff = (path: string) => changedFile(path, '@@ -5 +5 @@\n-    "zod": "4.0.0"\n+    "zod": "4.1.0"\n');
const lockDiff = (path: string) => changedFile(path, '@@ -10 +10 @@\n-      "version": "4.0.0"\n+      "version": "4.1.0"\n');
const summary = (findings: ReturnType<typeof lockfileReviewer.review>) => findings.map((f) => [f.rule, f.severity, f.file, f.line]);

test("a dependency change with its lockfile passes, in a workspace too, and a dependency role may refresh the lockfile alone", () => {
  const together = inputFor(bumpDiff("package.json") + lockDiff("package-lock.json"), { contents: { "package.json": { old: OLD, new: BUMPED } } });
  expect(lockfileReviewer.review(together)).toEqual([]);
  const workspace = inputFor(bumpDiff("packages/web/package.json") + lockDiff("package-lock.json"), { contents: { "packages/web/package.json": { old: OLD, new: BUMPED } } });
  expect(lockfileReviewer.review(workspace)).toEqual([]);
  expect(lockfileReviewer.review(inputFor(lockDiff("package-lock.json"), { role: "dependency_steward" }))).toEqual([]);
});

test("dependencies changed without the lockfile request changes at the dependency's line", () => {
  const input = inputFor(bumpDiff("package.json"), { contents: { "package.json": { old: OLD, new: BUMPED } } });
  expect(summary(lockfileReviewer.review(input))).toEqual([["lockfile_not_updated", "request_changes", "package.json", 5]]);
  // A lockfile in a subfolder does not cover the root manifest.
  const elsewhere = inputFor(bumpDiff("package.json") + lockDiff("tools/package-lock.json"), { contents: { "package.json": { old: OLD, new: BUMPED } } });
  expect(summary(lockfileReviewer.review(elsewhere))[0]).toEqual(["lockfile_not_updated", "request_changes", "package.json", 5]);
});

test("a lockfile changed alone, or with a manifest change that does not touch installs, blocks outside a dependency role", () => {
  expect(summary(lockfileReviewer.review(inputFor(lockDiff("yarn.lock"), { role: "coder" })))).toEqual([["lockfile_changed_alone", "block", "yarn.lock", null]]);
  const described = manifest({ zod: "4.0.0" }).replace('"name": "app"', '"name": "app",\n  "description": "x"');
  const cosmetic = inputFor(changedFile("package.json", '@@ -2,0 +3 @@\n+  "description": "x",\n') + lockDiff("package-lock.json"), {
    contents: { "package.json": { old: OLD, new: described } },
  });
  expect(summary(lockfileReviewer.review(cosmetic))).toEqual([["lockfile_changed_alone", "block", "package-lock.json", null]]);
});
