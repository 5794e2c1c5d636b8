import { expect, test } from "bun:test";
import { isPushpalsError } from "../core/errors.ts";
import { parseUnifiedDiff } from "./unified-diff.ts";

test("added lines carry their new line numbers, removed lines their old ones, across context and several hunks", () => {
  const diff = [
    "diff --git a/src/a.ts b/src/a.ts",
    "index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644",
    "--- a/src/a.ts",
    "+++ b/src/a.ts",
    "@@ -2 +2,2 @@ function a() {",
    "-  return 1;",
    "+  const x = 2;",
    "+  return x;",
    "@@ -10,3 +11,3 @@",
    " keep",
    "-old",
    "+new",
    "",
    "@@ -20,0 +22 @@",
    "+tail",
    "\\ No newline at end of file",
  ].join("\n");
  const [file] = parseUnifiedDiff(diff);
  expect(file).toMatchObject({ path: "src/a.ts", oldPath: null, status: "modified", oldMode: "100644", newMode: "100644", oldBlob: "1".repeat(40), newBlob: "2".repeat(40) });
  expect(file?.hunks.map((h) => h.added)).toEqual([
    [
      { line: 2, text: "  const x = 2;" },
      { line: 3, text: "  return x;" },
    ],
    [{ line: 12, text: "new" }],
    [{ line: 22, text: "tail" }],
  ]);
  expect(file?.hunks.map((h) => h.removed)).toEqual([[{ line: 2, text: "  return 1;" }], [{ line: 11, text: "old" }], []]);
});

test("hunk bodies are read by their counts: added lines that look like headers stay content", () => {
  const diff = [
    "diff --git a/x.txt b/x.txt",
    "new file mode 100644",
    "--- /dev/null",
    "+++ b/x.txt",
    "@@ -0,0 +1,3 @@",
    "+++ b/evil.txt",
    "+diff --git a/y b/y",
    "+@@ -1 +1 @@",
    "diff --git a/y.txt b/y.txt",
    "deleted file mode 100644",
    "--- a/y.txt",
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "--- a/z",
  ].join("\n");
  const files = parseUnifiedDiff(diff);
  expect(files.map((f) => [f.path, f.status])).toEqual([
    ["x.txt", "added"],
    ["y.txt", "deleted"],
  ]);
  expect(files[0]?.hunks[0]?.added.map((l) => l.text)).toEqual(["++ b/evil.txt", "diff --git a/y b/y", "@@ -1 +1 @@"]);
  expect(files[1]?.hunks[0]?.removed).toEqual([{ line: 1, text: "-- a/z" }]);
});

test("renames, spaces, quoted names, mode changes, binaries and type changes", () => {
  const diff = [
    "diff --git a/sp ace.txt b/sp ace2.txt",
    "similarity index 50%",
    "rename from sp ace.txt",
    "rename to sp ace2.txt",
    "--- a/sp ace.txt\t",
    "+++ b/sp ace2.txt\t",
    "@@ -2 +2 @@",
    "-b",
    "+B",
    "diff --git a/ren.txt b/renamed.txt",
    "similarity index 100%",
    "rename from ren.txt",
    "rename to renamed.txt",
    "diff --git a/mode.sh b/mode.sh",
    "old mode 100644",
    "new mode 100755",
    "diff --git a/img one.png b/img one.png",
    "new file mode 100644",
    "Binary files /dev/null and b/img one.png differ",
    'diff --git "a/t\\tab\\303\\251.txt" "b/t\\tab\\303\\251.txt"',
    "new file mode 100644",
    "--- /dev/null",
    '+++ "b/t\\tab\\303\\251.txt"',
    "@@ -0,0 +1 @@",
    "+hi",
    "diff --git a/link b/link",
    "deleted file mode 100644",
    "--- a/link",
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "-x",
    "diff --git a/link b/link",
    "new file mode 120000",
    "--- /dev/null",
    "+++ b/link",
    "@@ -0,0 +1 @@",
    "+target",
    "\\ No newline at end of file",
  ].join("\n");
  const files = parseUnifiedDiff(diff);
  expect(files.map((f) => [f.path, f.oldPath, f.status, f.binary])).toEqual([
    ["sp ace2.txt", "sp ace.txt", "renamed", false],
    ["renamed.txt", "ren.txt", "renamed", false],
    ["mode.sh", null, "modified", false],
    ["img one.png", null, "added", true],
    ["t\tab\u00e9.txt", null, "added", false],
    ["link", null, "type_changed", false],
  ]);
  expect(files[2]?.modeChange).toEqual({ old: "100644", new: "100755" });
  expect(files[5]).toMatchObject({ oldMode: "100644", newMode: "120000", modeChange: { old: "100644", new: "120000" } });
  expect(files[5]?.hunks.flatMap((h) => h.added)).toEqual([{ line: 1, text: "target" }]);
});

test("an added line with a NUL byte marks the file binary", () => {
  const [file] = parseUnifiedDiff(["diff --git a/d.dat b/d.dat", "--- a/d.dat", "+++ b/d.dat", "@@ -1 +1 @@", "-a", "+a\0b"].join("\n"));
  expect(file?.binary).toBe(true);
});

test("output that is not a diff, or a hunk cut short, is refused rather than half-read", () => {
  for (const bad of ["hello", "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+b\n"]) {
    let error: unknown;
    try {
      parseUnifiedDiff(bad);
    } catch (err) {
      error = err;
    }
    expect(isPushpalsError(error, "git_failed")).toBe(true);
  }
  expect(parseUnifiedDiff("")).toEqual([]);
});
