import { afterAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { gitMetadataKind } from "./git-metadata.ts";
import { checkScope } from "./scope.ts";

const dir = tempDir();
afterAll(dir.cleanup);

test("git metadata names are recognised in any folder and in the spellings git itself treats as equal", () => {
  for (const p of [".gitattributes", "a/b/.gitattributes", "src/.GitAttributes", "x/.gitattributes.", "gitatt~1", ".gitattributes\u200c"]) {
    expect(gitMetadataKind(p)).toBe("gitattributes");
  }
  for (const p of [".gitmodules", "a/.git/config", ".GIT/x", "git~1/config", "sub/.gitmodules ", ".git::$INDEX_ALLOCATION/x"]) {
    expect(gitMetadataKind(p)).toBe("git_metadata");
  }
  for (const p of [".gitignore", ".github/workflows/ci.yml", "src/git.ts", "a.gitattributes", ".mailmap"]) expect(gitMetadataKind(p)).toBeNull();
});

test("checkScope reads sizes and symlink targets from the worktree when the changes do not carry them", () => {
  mkdirSync(join(dir.path, "src"));
  writeFileSync(join(dir.path, "src/big.txt"), "x".repeat(11));
  writeFileSync(join(dir.path, "outside.txt"), "o");
  mkdirSync(join(dir.path, "src/real"));
  symlinkSync("../../outside.txt", join(dir.path, "src/real/link"));
  symlinkSync("real/link", join(dir.path, "src/hop"));
  const violations = checkScope(
    dir.path,
    [
      { path: "src/big.txt", status: "added", mode: "100644" },
      { path: "src/hop", status: "added", mode: "120000" },
      { path: "src/gone.txt", status: "deleted", oldMode: "100644" },
    ],
    { scope: ["src/**"], maxFileBytes: 10 },
  );
  expect(violations.map((v) => [v.path, v.rule])).toEqual([
    ["src/big.txt", "file_too_large"],
    // lexically src/real/link (in scope), but it resolves through another symlink to outside.txt
    ["src/hop", "symlink_out_of_scope"],
  ]);
});
