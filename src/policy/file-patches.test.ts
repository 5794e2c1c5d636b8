import { expect, test } from "bun:test";
import { unquotePath } from "../review/git-quote.ts";
import { parseUnifiedDiff } from "../review/unified-diff.ts";
import { filePatches } from "./from-git.ts";

test("reads added and removed lines per file by the hunk counts, headers look-alikes included", () => {
  const patch = [
    "diff --git a/src/a.ts b/src/a.ts",
    "index 1..2 100644",
    "--- a/src/a.ts",
    "+++ b/src/a.ts",
    "@@ -3,2 +3 @@ fn",
    "--- not a header",
    "-old",
    "+++ not a header either",
    "\\ No newline at end of file",
    "@@ -10 +9,0 @@",
    "-gone",
    "diff --git a/old.sh b/new.sh",
    "similarity index 90%",
    "rename from old.sh",
    "rename to new.sh",
    "--- a/old.sh",
    "+++ b/new.sh",
    "@@ -0,0 +1 @@",
    "+curl x",
    'diff --git "a/we\\tird.py" "b/we\\tird.py"',
    "deleted file mode 100644",
    'index 3..0',
    '--- "a/we\\tird.py"',
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "-import requests",
    "",
  ].join("\n");
  expect(filePatches(parseUnifiedDiff(patch))).toEqual([
    { path: "src/a.ts", added: ["++ not a header either"], removed: ["-- not a header", "old", "gone"] },
    { path: "new.sh", added: ["curl x"], removed: [] },
    { path: "we\tird.py", added: [], removed: ["import requests"] },
  ]);
});

test.each([
  ["plain.ts", "plain.ts"],
  ['"a\\"b"', 'a"b'],
  ['"caf\\303\\251.ts"', "café.ts"],
  ['"tab\\there"', "tab\there"],
  ['"emoji 😀\\n"', "emoji 😀\n"],
])("unquotes %p", (quoted, want) => {
  expect(unquotePath(quoted)).toBe(want);
});
