import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { listWorktreeChanges } from "./changes.ts";
import { commitWorktree } from "./commit.ts";
import { assertSandboxGitIntact } from "./sandbox-git.ts";
import { addJobCheckout } from "./worktree.ts";

// Below the intact-.git check: even with it out of the way, host git never reads the checkout's .git.
const scratch = tempDir("pushpals-host-git-");
const cleanups: (() => void)[] = [scratch.cleanup];
afterAll(() => cleanups.forEach((c) => c()));

function evilConfig(markerName: string): string {
  const marker = join(scratch.path, markerName);
  return [
    "[core]",
    `\tfsmonitor = "touch ${marker}-fsmonitor; false"`,
    `\thooksPath = ${scratch.path}`,
    "\tbare = false",
    `[filter "evil"]\n\tclean = "touch ${marker}-filter; cat"\n\tprocess = "touch ${marker}-process"`,
    `[include]\n\tpath = ${join(scratch.path, "included.cfg")}`,
  ].join("\n");
}

async function checkout() {
  const repo = await makeRepo({ files: { "src/a.txt": "one\n", ".gitattributes": "*.txt filter=evil\n" } });
  cleanups.push(repo.cleanup);
  return addJobCheckout(repo.paths, "job_00000000000000000000000000000011", 1, "HEAD");
}

test("an evil .git/config in the checkout: staging lists the change and runs nothing of it", async () => {
  const c = await checkout();
  writeFileSync(join(c.dir, ".git", "config"), evilConfig("config"));
  writeFileSync(join(scratch.path, "included.cfg"), `[core]\n\tfsmonitor = "touch ${join(scratch.path, "config-included")}; false"\n`);
  writeFileSync(join(c.dir, "src", "a.txt"), "two\n");
  const changes = await listWorktreeChanges(c);
  expect(changes.map((f) => [f.path, f.status])).toEqual([["src/a.txt", "modified"]]);
  for (const suffix of ["fsmonitor", "filter", "process", "included"]) expect(existsSync(join(scratch.path, `config-${suffix}`))).toBe(false);
  expect(() => assertSandboxGitIntact(c.dir)).toThrow(/changed the worktree's git config/);
});

test("a .git link to a git dir elsewhere: staging still uses the host's own, and commit refuses it", async () => {
  const c = await checkout();
  const elsewhere = join(scratch.path, "elsewhere.git");
  mkdirSync(join(elsewhere, "objects"), { recursive: true });
  mkdirSync(join(elsewhere, "refs"), { recursive: true });
  writeFileSync(join(elsewhere, "HEAD"), "ref: refs/heads/main\n");
  writeFileSync(join(elsewhere, "config"), evilConfig("link"));
  rmSync(join(c.dir, ".git"), { recursive: true });
  writeFileSync(join(c.dir, ".git"), `gitdir: ${elsewhere}\n`);
  writeFileSync(join(c.dir, "src", "new.txt"), "new\n");
  expect((await listWorktreeChanges(c)).map((f) => f.path)).toEqual(["src/new.txt"]);
  const err = await commitWorktree(c, { rules: { scope: ["src/**"], maxFileBytes: 1000 }, message: "x", trailers: {} }).catch((e: unknown) => e);
  expect(err).toMatchObject({ failureClass: "policy_denied", message: expect.stringContaining("replaced the worktree's .git directory") });
  for (const suffix of ["fsmonitor", "filter", "process"]) expect(existsSync(join(scratch.path, `link-${suffix}`))).toBe(false);
});

test("the sandbox's .git holds the commit's objects only, and a fresh checkout is clean for git inside it", async () => {
  const c = await checkout();
  const inside = (args: string[]) => Bun.spawnSync(["git", ...args], { cwd: c.dir, env: { PATH: process.env.PATH ?? "", HOME: scratch.path, GIT_CONFIG_NOSYSTEM: "1" } });
  expect(inside(["status", "--porcelain"]).stdout.toString()).toBe("");
  expect(inside(["rev-parse", "HEAD"]).stdout.toString().trim()).toBe(c.commit);
  expect(inside(["for-each-ref"]).stdout.toString()).toBe("");
  expect(inside(["config", "--local", "--list"]).stdout.toString()).not.toContain("user.");
});
