import { expect, test } from "bun:test";
import { changedFile, deletedFile, inputFor, newFile } from "../review-fixture.ts";
import { testsReviewer } from "./tests-reviewer.ts";

const summary = (diff: string) => testsReviewer.review(inputFor(diff)).map((f) => [f.rule, f.severity, f.file, f.line]);

test("new tests, rewritten or moved assertions and skips outside test files pass", () => {
  const diff =
    newFile("src/a.test.ts", ['test("a", () => {', "  expect(a()).toBe(1);", "});"]) +
    changedFile("src/b.test.ts", "@@ -4,2 +4,2 @@\n-  expect(b()).toBe(1);\n-  assert.equal(c(), 2);\n+  expect(b()).toBe(2);\n+  assert.equal(c(), 3);\n") +
    changedFile("src/c.test.ts", "@@ -2 +1,0 @@\n-  expect(x).toBe(1);\n@@ -9,0 +9 @@\n+  expect(x).toBe(1);\n") +
    newFile("src/stream.ts", ["iter.skip(2);", "list.only(1);"]) +
    deletedFile("src/old.ts", ["expect(x)"]);
  expect(summary(diff)).toEqual([]);
});

test("a deleted test file and tests renamed out of the test run block", () => {
  const renamed = "diff --git a/src/x.test.ts b/src/x.ts\nsimilarity index 100%\nrename from src/x.test.ts\nrename to src/x.ts\n";
  expect(summary(deletedFile("test/api.ts", ["expect(1)"]) + renamed)).toEqual([
    ["test_deleted", "block", "test/api.ts", null],
    ["test_deleted", "block", "src/x.ts", null],
  ]);
});

test("skipped or focused tests added block; a todo requests changes", () => {
  const diff = changedFile(
    "src/a.test.ts",
    [
      "@@ -3,0 +4,7 @@",
      '+test.skip("a", () => {});',
      '+  it.only("b", () => {});',
      '+xit("c", () => {});',
      '+xdescribe("d", () => {});',
      '+describe.concurrent.skip("e", () => {});',
      '+fit("f", () => {});',
      '+test.todo("g");',
    ].join("\n"),
  );
  expect(summary(diff)).toEqual([
    ["test_disabled", "block", "src/a.test.ts", 4],
    ["test_disabled", "block", "src/a.test.ts", 5],
    ["test_disabled", "block", "src/a.test.ts", 6],
    ["test_disabled", "block", "src/a.test.ts", 7],
    ["test_disabled", "block", "src/a.test.ts", 8],
    ["test_disabled", "block", "src/a.test.ts", 9],
    ["test_todo", "request_changes", "src/a.test.ts", 10],
  ]);
});

test("assertions removed without a replacement request changes at the place they were removed", () => {
  const diff = changedFile("src/a.test.ts", "@@ -11,2 +11,1 @@\n-  expect(a).toBe(1);\n-  expect(b).toBe(2);\n+  expect(a).toBe(1);\n@@ -30 +28,0 @@\n-  assert(c);\n");
  const findings = testsReviewer.review(inputFor(diff));
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line, f.message])).toEqual([
    ["assertions_removed", "request_changes", "src/a.test.ts", 11, "removes 2 assertions from src/a.test.ts without replacing them"],
  ]);
});
