import { expect, test } from "bun:test";
import { parseUnifiedDiff, unquoteGitPath } from "./unified-diff.ts";

test("reads added and removed lines per file by the hunk counts, headers look-alikes included", () => {
  const patch = [
    "diff --git src/a.ts src/a.ts",
    "index 1..2 100644",
    "--- src/a.ts",
    "+++ src/a.ts",
    "@@ -3,2 +3 @@ fn",
    "--- not a header",
    "-old",
    "+++ not a header either",
    "\\ No newline at end of file",
    "@@ -10 +9,0 @@",
    "-gone",
    "diff --git old.sh new.sh",
    "similarity index 90%",
    "rename from old.sh",
    "rename to new.sh",
    "--- old.sh",
    "+++ new.sh",
    "@@ -0,0 +1 @@",
    "+curl x",
    "diff --git \"we\\tird.py\" \"we\\tird.py\"",
    "deleted file mode 100644",
    "--- \"we\\tird.py\"",
    "+++ /dev/null",
    "@@ -1 +0,0 @@",
    "-import requests",
    "",
  ].join("\n");
  expect(parseUnifiedDiff(patch)).toEqual([
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
  expect(unquoteGitPath(quoted)).toBe(want);
});
