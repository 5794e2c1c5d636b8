import { afterAll, expect, test } from "bun:test";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { isPushpalsError } from "../core/errors.ts";
import { applyRawNumstat, parseDiff, parseRawNumstatZ } from "./parse-diff.ts";
import { tempRepo } from "./review-fixture.ts";
import { parseUnifiedDiff } from "./unified-diff.ts";

const repo = tempRepo();
afterAll(repo.cleanup);

const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join("\n") + "\n";

const base = repo.commit({
  "src/a.ts": lines(10, "a"),
  "src/gone.ts": "bye\n",
  "src/move me.ts": lines(20, "m"),
  "run.sh": "echo\n",
  "package.json": '{ "name": "x", "dependencies": {} }\n',
});
chmodSync(join(repo.root, "run.sh"), 0o755);
const head = repo.commit({
  "src/a.ts": lines(10, "a").replace("a 3\n", "a 3\nnew 4\nnew 5\n").replace("a 9\n", "A 9\n"),
  "src/gone.ts": null,
  "src/move me.ts": null,
  "src/moved é.ts": lines(20, "m").replace("m 20\n", "m twenty\n"),
  "img.bin": new Uint8Array([0x89, 0x50, 0x00, 0x01, 0x02]),
  "package.json": '{ "name": "x", "dependencies": { "left-pad": "1.3.0" } }\n',
});

test("parseDiff reads the exact diff between two commits: statuses, line numbers, modes, sizes, binaries, manifests", async () => {
  const files = await parseDiff(repo.root, base, head);
  const byPath = new Map(files.map((f) => [f.path, f]));
  expect([...byPath.keys()].sort()).toEqual(["img.bin", "package.json", "run.sh", "src/a.ts", "src/gone.ts", "src/moved é.ts"]);
  const a = byPath.get("src/a.ts");
  expect(a?.hunks.flatMap((h) => h.added)).toEqual([
    { line: 4, text: "new 4" },
    { line: 5, text: "new 5" },
    { line: 11, text: "A 9" },
  ]);
  expect(a?.hunks.flatMap((h) => h.removed)).toEqual([{ line: 9, text: "a 9" }]);
  expect(a?.size).toBe(lines(10, "a").length + "new 4\nnew 5\n".length);
  expect(byPath.get("src/gone.ts")).toMatchObject({ status: "deleted", size: null, newBlob: null, oldMode: "100644", newMode: null });
  expect(byPath.get("src/moved é.ts")).toMatchObject({ status: "renamed", oldPath: "src/move me.ts" });
  expect(byPath.get("run.sh")).toMatchObject({ status: "modified", modeChange: { old: "100644", new: "100755" }, hunks: [] });
  expect(byPath.get("run.sh")?.size).toBe(5);
  expect(byPath.get("img.bin")).toMatchObject({ status: "added", binary: true, size: 5 });
  expect(byPath.get("package.json")?.contents).toEqual({
    old: '{ "name": "x", "dependencies": {} }\n',
    new: '{ "name": "x", "dependencies": { "left-pad": "1.3.0" } }\n',
  });
  expect(byPath.get("src/a.ts")?.contents).toBeUndefined();
});

test("repository config cannot change what parseDiff sees, and NUL bytes in a file forced to text still mark it binary", async () => {
  const hostile = tempRepo();
  try {
    const b = hostile.commit({ "dir/a.txt": "1\n2\n3\n4\n5\n6\n", "é.txt": "x\n", "d.dat": "plain\n" });
    const h = hostile.commit({ "dir/a.txt": "1\nTWO\n3\n4\n5\nSIX\n", "é.txt": "y\n", "d.dat": "bin\0ary\n", ".gitattributes": "*.dat diff\n" });
    for (const [key, value] of [
      ["diff.noprefix", "true"],
      ["diff.mnemonicPrefix", "true"],
      ["diff.relative", "true"],
      ["diff.context", "9"],
      ["diff.interHunkContext", "9"],
      ["diff.external", "false"],
      ["color.ui", "always"],
      ["color.diff", "always"],
      ["core.quotePath", "true"],
    ]) {
      hostile.git("config", key as string, value as string);
    }
    const files = await parseDiff(hostile.root, b, h);
    const a = files.find((f) => f.path === "dir/a.txt");
    expect(a?.hunks.map((hunk) => hunk.added)).toEqual([[{ line: 2, text: "TWO" }], [{ line: 6, text: "SIX" }]]);
    expect(files.find((f) => f.path === "é.txt")?.hunks[0]?.added).toEqual([{ line: 1, text: "y" }]);
    expect(files.find((f) => f.path === "d.dat")?.binary).toBe(true);
  } finally {
    hostile.cleanup();
  }
});

test("parseDiff takes full commit ids only", async () => {
  for (const bad of ["HEAD", "--output=/tmp/x", base.slice(0, 12)]) {
    let error: unknown;
    try {
      await parseDiff(repo.root, bad, head);
    } catch (err) {
      error = err;
    }
    expect(isPushpalsError(error, "invalid_input")).toBe(true);
  }
});

test("raw and numstat entries are read by position, and a patch that disagrees with them is refused", () => {
  const z = (...tokens: string[]) => `${tokens.join("\0")}\0`;
  const sha = (c: string) => c.repeat(40);
  const meta = parseRawNumstatZ(
    z(`:100644 100644 ${sha("1")} ${sha("2")} M`, ":odd", `:000000 100644 ${"0".repeat(40)} ${sha("3")} A`, "12\tnine", `:100644 100644 ${sha("4")} ${sha("4")} R100`, "o", "n", "1\t0\t:odd", "-\t-\t12\tnine", "0\t0\t", "o", "n"),
  );
  expect(meta.raw.map((r) => [r.path, r.oldPath, r.oldBlob?.[0] ?? null])).toEqual([
    [":odd", null, "1"],
    ["12\tnine", null, null],
    ["n", "o", "4"],
  ]);
  expect(meta.numstat).toEqual([
    { path: ":odd", oldPath: null, added: 1, removed: 0 },
    { path: "12\tnine", oldPath: null, added: null, removed: null },
    { path: "n", oldPath: "o", added: 0, removed: 0 },
  ]);
  const patch = parseUnifiedDiff("diff --git a/other b/other\n--- a/other\n+++ b/other\n@@ -1 +1 @@\n-a\n+b\n");
  expect(() => applyRawNumstat(patch, meta)).toThrow(/lists ":odd", which the patch does not/);
});

test("parseDiff loads both sides of lockfiles and of the files contentsFor names, byte-exact in any script", async () => {
  const r = tempRepo();
  try {
    const b = r.commit({ "web/yarn.lock": "# v1\n", "src/é.test.ts": "test('ü', () => expect(1).toBe(1));\n", "src/x.ts": "x\n" });
    const h = r.commit({ "web/yarn.lock": "# v1 — 改\n", "src/é.test.ts": null, "src/é2.test.ts": "test('ü', () => {});\n", "src/x.ts": "y\n" });
    const files = await parseDiff(r.root, b, h, { contentsFor: (p) => p.endsWith(".test.ts") });
    const byPath = new Map(files.map((f) => [f.path, f]));
    expect(byPath.get("web/yarn.lock")?.contents).toEqual({ old: "# v1\n", new: "# v1 — 改\n" });
    expect(byPath.get("src/é.test.ts")?.contents).toEqual({ old: "test('ü', () => expect(1).toBe(1));\n", new: null });
    expect(byPath.get("src/é2.test.ts")?.contents).toEqual({ old: null, new: "test('ü', () => {});\n" });
    expect(byPath.get("src/x.ts")?.contents).toBeUndefined();
  } finally {
    r.cleanup();
  }
});
