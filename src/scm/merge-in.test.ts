import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { markResolved, mergeInto } from "./merge-in.ts";
import { wouldConflict } from "./would-conflict.ts";
import { addJobCheckout, removeCheckout } from "./worktree.ts";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((cleanup) => cleanup()));

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

test("attack: the user's global git config (a merge driver or filter a committed .gitattributes picks, a conflict style, a global union merge) never reaches a checkout or a resolution", async () => {
  const repo = await makeRepo({ files: { "a.txt": "one\ntwo\nthree\n" } });
  cleanups.push(repo.cleanup);
  const home = mkdtempSync(join(tmpdir(), "pushpals-home-"));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const marker = join(home, "driver-ran");
  writeFileSync(join(home, ".gitconfig"), `[merge "evil"]\n\tdriver = touch ${marker} && false\n[merge]\n\tconflictStyle = diff3\n[filter "evil"]\n\tsmudge = touch ${marker}-smudge && cat\n\tclean = touch ${marker}-clean && cat\n`);
  // And the global attributes file git reads even without a .gitconfig: a union merge would hide the conflict.
  mkdirSync(join(home, ".config", "git"), { recursive: true });
  writeFileSync(join(home, ".config", "git", "attributes"), "* merge=union\n");
  const root = git(repo.root, ["rev-parse", "HEAD"]);
  git(repo.root, ["checkout", "-q", "-b", "pr"]);
  writeFileSync(join(repo.root, "a.txt"), "one\nPR\nthree\n");
  writeFileSync(join(repo.root, ".gitattributes"), "* merge=evil filter=evil\n");
  git(repo.root, ["add", "-A"]);
  git(repo.root, ["commit", "-qm", "pr"]);
  const head = git(repo.root, ["rev-parse", "HEAD"]);
  git(repo.root, ["checkout", "-q", root]);
  writeFileSync(join(repo.root, "a.txt"), "one\nBASE\nthree\n");
  git(repo.root, ["commit", "-qam", "base"]);
  const base = git(repo.root, ["rev-parse", "HEAD"]);

  const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  process.env.HOME = home;
  delete process.env.XDG_CONFIG_HOME;
  try {
    expect(await wouldConflict(repo.root, repo.paths.gitCommonDir + "/objects", base, head)).toEqual(["a.txt"]);
    const checkout = await addJobCheckout(repo.paths, "job_00000000000000000000000000000009", 1, head, "resolve");
    cleanups.push(() => removeCheckout(checkout));
    const merge = await mergeInto(checkout, base);
    expect(merge.conflicted).toEqual(["a.txt"]);
    // Git's own markers, without the diff3 base section the global config asked for.
    expect(readFileSync(join(checkout.dir, "a.txt"), "utf8")).toBe(`one\n<<<<<<< HEAD\nPR\n=======\nBASE\n>>>>>>> ${base}\nthree\n`);
    writeFileSync(join(checkout.dir, "a.txt"), "one\nPR\nBASE\nthree\n");
    await markResolved(checkout, ["a.txt"]);
  } finally {
    process.env.HOME = saved.HOME;
    if (saved.XDG_CONFIG_HOME !== undefined) process.env.XDG_CONFIG_HOME = saved.XDG_CONFIG_HOME;
  }
  // No merge driver, smudge or clean filter of the user's ran on the PR's files (checkout, merge, staging).
  expect([existsSync(marker), existsSync(`${marker}-smudge`), existsSync(`${marker}-clean`)]).toEqual([false, false, false]);
});
