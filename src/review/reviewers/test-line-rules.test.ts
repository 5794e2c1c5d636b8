import { expect, test } from "bun:test";
import { changedFile, inputFor, newFile } from "../review-fixture.ts";
import { lineRuleFindings } from "./test-line-rules.ts";

const summary = (diff: string) => inputFor(diff).files.flatMap(lineRuleFindings).map((f) => [f.rule, f.severity, f.file, f.line]);

test("new tests, rewritten or moved assertions pass the line rules", () => {
  const diff =
    newFile("src/a.test.ts", ['test("a", () => {', "  expect(a()).toBe(1);", "});"]) +
    changedFile("src/b.test.ts", "@@ -4,2 +4,2 @@\n-  expect(b()).toBe(1);\n-  assert.equal(c(), 2);\n+  expect(b()).toBe(2);\n+  assert.equal(c(), 3);\n") +
    changedFile("src/c.test.ts", "@@ -2 +1,0 @@\n-  expect(x).toBe(1);\n@@ -9,0 +9 @@\n+  expect(x).toBe(1);\n");
  expect(summary(diff)).toEqual([]);
});

test("skipped or focused tests added block; a todo requests changes", () => {
  const diff = changedFile(
    "src/a.test.ts",
    ["@@ -3,0 +4,7 @@", '+test.skip("a", () => {});', '+  it.only("b", () => {});', '+xit("c", () => {});', '+xdescribe("d", () => {});', '+describe.concurrent.skip("e", () => {});', '+fit("f", () => {});', '+test.todo("g");'].join("\n"),
  );
  expect(summary(diff)).toEqual([4, 5, 6, 7, 8, 9].map((line) => ["test_disabled", "block", "src/a.test.ts", line]).concat([["test_todo", "request_changes", "src/a.test.ts", 10]]));
});

test("assertions removed without a replacement request changes at the place they were removed", () => {
  const diff = changedFile("src/a.test.ts", "@@ -11,2 +11,1 @@\n-  expect(a).toBe(1);\n-  expect(b).toBe(2);\n+  expect(a).toBe(1);\n@@ -30 +28,0 @@\n-  assert(c);\n");
  const findings = inputFor(diff).files.flatMap(lineRuleFindings);
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line, f.message])).toEqual([
    ["assertions_removed", "request_changes", "src/a.test.ts", 11, "removes 2 assertions from src/a.test.ts without replacing them"],
  ]);
});

test("Python and Go skips block; their assertions count", () => {
  const py = changedFile("tests/test_api.py", ["@@ -3,0 +4,4 @@", "+@pytest.mark.skip(reason='flaky')", "+@unittest.skip('later')", "+    pytest.skip('no db')", "+    self.skipTest('x')"].join("\n"));
  const go = changedFile("api/api_test.go", ["@@ -5,2 +5,1 @@", "-\tif got != 3 {", "-\t\tt.Errorf(\"got %d\", got)", "+\tt.Skip(\"later\")"].join("\n"));
  expect(summary(py + go)).toEqual([
    ["test_disabled", "block", "tests/test_api.py", 4],
    ["test_disabled", "block", "tests/test_api.py", 5],
    ["test_disabled", "block", "tests/test_api.py", 6],
    ["test_disabled", "block", "tests/test_api.py", 7],
    ["test_disabled", "block", "api/api_test.go", 5],
    ["assertions_removed", "request_changes", "api/api_test.go", 5],
  ]);
  // The Python and Go forms are read only in their own languages.
  expect(summary(changedFile("src/a.test.ts", "@@ -1,0 +2 @@\n+  t.Skip();\n"))).toEqual([]);
});
