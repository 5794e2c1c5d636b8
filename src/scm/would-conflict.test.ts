import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { wouldConflict } from "./would-conflict.ts";

const dir = tempDir("pushpals-would-conflict-");
afterAll(() => dir.cleanup());

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t", ...args], { cwd: dir.path, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

function commit(file: string, text: string, message: string): string {
  writeFileSync(join(dir.path, file), text);
  git(["add", file]);
  git(["commit", "-q", "-m", message]);
  return git(["rev-parse", "HEAD"]);
}

test("a head that would conflict with the base names its files; one that merges cleanly names none; neither writes an object, a ref or the index", async () => {
  git(["init", "-q", "-b", "main"]);
  commit("a.txt", "one\ntwo\nthree\n", "base");
  commit("b.txt", "b\n", "more");
  git(["checkout", "-q", "-b", "pr"]);
  const head = commit("a.txt", "one\nmine\nthree\n", "mine");
  git(["checkout", "-q", "main"]);
  const clean = commit("b.txt", "b2\n", "elsewhere");
  const objects = join(dir.path, ".git", "objects");
  const before = git(["count-objects", "-v"]);
  const status = git(["status", "--porcelain"]);
  expect(await wouldConflict(dir.path, objects, clean, head)).toEqual([]);
  const conflicting = commit("a.txt", "one\ntheirs\nthree\n", "theirs");
  const counted = git(["count-objects", "-v"]);
  expect(await wouldConflict(dir.path, objects, conflicting, head)).toEqual(["a.txt"]);
  expect(git(["count-objects", "-v"])).toBe(counted);
  expect(before).not.toBe(counted);
  expect(git(["status", "--porcelain"])).toBe(status);
  expect(git(["rev-parse", "pr"])).toBe(head);
});
