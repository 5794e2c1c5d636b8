import { afterAll, expect, test } from "bun:test";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { listWorktreeChanges, parseRawDiff } from "./changes.ts";
import { addJobCheckout } from "./worktree.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

const LONG = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n") + "\n";

function run(cwd: string, ...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

test("lists changes relative to the checkout's commit, with unstaged renames detected, and touches neither index nor object store", async () => {
  const repo = await makeRepo({ files: { "a.txt": LONG, "b.txt": "b\n", "c.txt": "c\n" } });
  cleanups.push(repo.cleanup);
  const checkout = await addJobCheckout(repo.paths, "job_00000000000000000000000000000001", 1, "HEAD");
  const root = checkout.dir;
  const host = [`--git-dir=${checkout.gitDir}`, `--work-tree=${checkout.dir}`];
  renameSync(join(root, "a.txt"), join(root, "moved a.txt"));
  writeFileSync(join(root, "b.txt"), "b changed\n");
  rmSync(join(root, "c.txt"));
  writeFileSync(join(root, "new\nfile"), "n\n");
  writeFileSync(join(root, "staged-then-deleted"), "s\n");
  run(root, ...host, "add", "staged-then-deleted");
  rmSync(join(root, "staged-then-deleted"));
  const index = readFileSync(join(checkout.gitDir, "index"));
  const objects = run(repo.root, "count-objects", "-v");

  const changes = await listWorktreeChanges(checkout);

  expect(changes.map((c) => [c.status, c.path, c.oldPath ?? null])).toEqual([
    ["modified", "b.txt", null],
    ["deleted", "c.txt", null],
    ["renamed", "moved a.txt", "a.txt"],
    ["added", "new\nfile", null],
  ]);
  expect(changes.find((c) => c.path === "b.txt")).toMatchObject({ mode: "100644", oldMode: "100644", size: 10 });
  expect(readFileSync(join(checkout.gitDir, "index")).equals(index)).toBe(true);
  expect(run(repo.root, "count-objects", "-v")).toBe(objects);
});

test("parses git's raw -z diff format", () => {
  const z = "0".repeat(40);
  const a = "a".repeat(40);
  const b = "b".repeat(40);
  const raw = [`:000000 100755 ${z} ${a} A`, "x y", `:120000 100644 ${a} ${b} T`, "l", `:100644 100644 ${a} ${a} R100`, "o\nld", "n\new", ""].join("\0");
  expect(parseRawDiff(raw)).toEqual([
    { path: "x y", status: "added", mode: "100755", blob: a },
    { path: "l", status: "type_changed", oldMode: "120000", oldBlob: a, mode: "100644", blob: b },
    { path: "n\new", oldPath: "o\nld", status: "renamed", oldMode: "100644", oldBlob: a, mode: "100644", blob: a },
  ]);
  expect(() => parseRawDiff(`:100644 100644 ${a} ${b} U\0p\0`)).toThrow(/unexpected/);
});
