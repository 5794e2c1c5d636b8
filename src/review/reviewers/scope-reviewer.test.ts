import { expect, test } from "bun:test";
import { changedFile, inputFor, newFile } from "../review-fixture.ts";
import { scopeReviewer } from "./scope-reviewer.ts";

const rules = { scope: ["src/**", "docs/*.md"], protectedPaths: ["src/auth/**"] };

test("changes inside the scope pass", () => {
  const diff = newFile("src/a.ts", ["export const a = 1;"]) + changedFile("docs/x.md", "@@ -1 +1 @@\n-a\n+b\n");
  expect(scopeReviewer.review(inputFor(diff, { rules }))).toEqual([]);
});

test("a path outside the scope blocks, a rename away from outside too, and git metadata always", () => {
  const rename = "diff --git a/lib/old.ts b/src/new.ts\nsimilarity index 100%\nrename from lib/old.ts\nrename to src/new.ts\n";
  const diff = newFile("scripts/deploy.sh", ["rm -rf /"]) + rename + newFile("src/.gitattributes", ["* filter=x"]);
  const findings = scopeReviewer.review(inputFor(diff, { rules }));
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
    ["out_of_scope", "block", "scripts/deploy.sh", null],
    ["out_of_scope", "block", "lib/old.ts", null],
    ["git_metadata", "block", "src/.gitattributes", null],
  ]);
});

test("a protected path in scope needs approval", () => {
  const findings = scopeReviewer.review(inputFor(changedFile("src/auth/login.ts", "@@ -3 +3 @@\n-a\n+b\n"), { rules }));
  expect(findings).toEqual([
    {
      reviewer: "scope",
      rule: "protected_path",
      severity: "request_changes",
      file: "src/auth/login.ts",
      line: null,
      message: "src/auth/login.ts is a protected path: the change needs approval",
      fixHint: expect.any(String),
    },
  ]);
});

test("the test quarantine is left to its own reviewer and gate unless the policy protects it by name", () => {
  const diff = newFile(".pushpals/quarantine.toml", ["# none"]) + newFile(".pushpals/config.toml", ["[checks]"]);
  const own = { scope: [".pushpals/**"], protectedPaths: [".pushpals/**"] };
  expect(scopeReviewer.review(inputFor(diff, { rules: own })).map((f) => [f.rule, f.file])).toEqual([["protected_path", ".pushpals/config.toml"]]);
  const named = { scope: [".pushpals/**"], protectedPaths: [".pushpals/**", ".pushpals/quarantine.toml"] };
  expect(scopeReviewer.review(inputFor(diff, { rules: named })).map((f) => [f.rule, f.file])).toEqual([
    ["protected_path", ".pushpals/quarantine.toml"],
    ["protected_path", ".pushpals/config.toml"],
  ]);
});
