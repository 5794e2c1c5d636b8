import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { commitInfo, firstParentCommits } from "./commit-info.ts";
import { revertCommit } from "./revert.ts";
import { addJobCheckout, removeCheckout } from "./worktree.ts";

const repos: (() => void)[] = [];
afterAll(() => repos.forEach((cleanup) => cleanup()));

const JOB = "job_00000000000000000000000000000002";

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

/** main: initial, one, merge of a side branch (two commits), two. */
async function history() {
  const repo = await makeRepo({ files: { "a.txt": "one\n" } });
  repos.push(repo.cleanup);
  const commit = (message: string, edit: string) => {
    Bun.spawnSync(["sh", "-c", edit], { cwd: repo.root });
    git(repo.root, ["add", "-A"]);
    git(repo.root, ["commit", "-q", "-m", message]);
    return git(repo.root, ["rev-parse", "HEAD"]);
  };
  const initial = git(repo.root, ["rev-parse", "HEAD"]);
  const one = commit("one", "echo 1 > one.txt");
  git(repo.root, ["checkout", "-q", "-b", "side", initial]);
  const sideA = commit("side a", "echo a > side-a.txt");
  const sideB = commit("side b", "echo b > side-b.txt");
  git(repo.root, ["checkout", "-q", "main"]);
  git(repo.root, ["merge", "-q", "--no-ff", "-m", "Merge side", "side"]);
  const merge = git(repo.root, ["rev-parse", "HEAD"]);
  const two = commit("two\n\nwith a body", "echo 2 > two.txt");
  return { repo, initial, one, sideA, sideB, merge, two };
}

test("a commit's parents, subject and author; none for a commit the repository does not have", async () => {
  const { repo, one, merge, two } = await history();
  expect(await commitInfo(repo.root, two)).toEqual({ sha: two, parents: [merge], subject: "two", author: "PushPals Test <test@example.invalid>" });
  expect((await commitInfo(repo.root, merge))!.parents).toEqual([one, git(repo.root, ["rev-parse", "side"])]);
  expect(await commitInfo(repo.root, "f".repeat(40))).toBeNull();
  expect(await commitInfo(repo.root, "--output=/tmp/x")).toBeNull();
});

test("the first-parent line of a range, oldest first, a merge one commit of it; bounded", async () => {
  const { repo, initial, one, merge, two } = await history();
  expect(await firstParentCommits(repo.root, initial, two, 100)).toEqual({ commits: [one, merge, two], more: false });
  expect(await firstParentCommits(repo.root, initial, two, 3)).toEqual({ commits: [one, merge, two], more: false });
  expect(await firstParentCommits(repo.root, initial, two, 2)).toEqual({ commits: [merge, two], more: true });
  expect(await firstParentCommits(repo.root, two, two, 10)).toEqual({ commits: [], more: false });
});

test("a merge commit is reverted against its first parent (-m 1): what it brought in goes, the rest stays", async () => {
  const { repo, merge, two } = await history();
  const checkout = await addJobCheckout(repo.paths, JOB, 1, two);
  try {
    expect(await revertCommit(checkout, merge, true)).toEqual({ ok: true });
    expect(existsSync(join(checkout.dir, "side-a.txt"))).toBe(false);
    expect(existsSync(join(checkout.dir, "side-b.txt"))).toBe(false);
    expect(readFileSync(join(checkout.dir, "two.txt"), "utf8")).toBe("2\n");
    expect(readFileSync(join(checkout.dir, "one.txt"), "utf8")).toBe("1\n");
  } finally {
    removeCheckout(checkout);
  }
  const plain = await addJobCheckout(repo.paths, JOB, 1, two);
  try {
    expect(await revertCommit(plain, two, false)).toEqual({ ok: true });
    expect(existsSync(join(plain.dir, "two.txt"))).toBe(false);
    expect(existsSync(join(plain.dir, "side-a.txt"))).toBe(true);
  } finally {
    removeCheckout(plain);
  }
});
