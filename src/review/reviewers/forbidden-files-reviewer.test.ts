import { expect, test } from "bun:test";
import { parseUnifiedDiff } from "../unified-diff.ts";
import { deletedFile, inputFor, newFile } from "../review-fixture.ts";
import { forbiddenFilesReviewer } from "./forbidden-files-reviewer.ts";

const rules = { maxFileBytes: 100, generatedDirs: ["gen"] };

test("small text files, generated files in their folder and deleted binaries pass", () => {
  const files = parseUnifiedDiff(
    newFile("src/a.ts", ["x"]) + newFile("gen/api.generated.ts", ["y"]) + newFile("gen/dist/app.min.js", ["z"]) +
      "diff --git a/old.png b/old.png\ndeleted file mode 100644\nBinary files a/old.png and /dev/null differ\n" + deletedFile("dist/x.js", ["a"]),
  );
  for (const f of files) f.size = f.status === "deleted" ? null : 10;
  expect(forbiddenFilesReviewer.review(inputFor(files, { rules }))).toEqual([]);
});

test("binaries, files over the size limit and generated code outside its folder block", () => {
  const files = parseUnifiedDiff(
    "diff --git a/logo.png b/logo.png\nnew file mode 100644\nBinary files /dev/null and b/logo.png differ\n" +
      newFile("data.txt", ["big"]) + newFile("src/vendor.min.js", ["x"]) + newFile("dist/index.js", ["y"]) + newFile("src/types.generated.ts", ["z"]) +
      "diff --git a/nul.txt b/nul.txt\nnew file mode 100644\n--- /dev/null\n+++ b/nul.txt\n@@ -0,0 +1 @@\n+a\0b\n",
  );
  for (const f of files) f.size = f.path === "data.txt" ? 101 : 10;
  expect(forbiddenFilesReviewer.review(inputFor(files, { rules })).map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
    ["binary_file", "block", "logo.png", null],
    ["file_too_large", "block", "data.txt", null],
    ["generated_file", "block", "src/vendor.min.js", null],
    ["generated_file", "block", "dist/index.js", null],
    ["generated_file", "block", "src/types.generated.ts", null],
    ["binary_file", "block", "nul.txt", null],
  ]);
});
