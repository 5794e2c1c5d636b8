import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { commitWorktree } from "./commit.ts";
import { revertRange, revertRangeCommits } from "./revert.ts";
import { addJobCheckout, removeCheckout } from "./worktree.ts";

const repos: (() => void)[] = [];
afterAll(() => repos.forEach((cleanup) => cleanup()));

const JOB = "job_00000000000000000000000000000001";

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

/** A repository whose main moved by two commits (what a merge lands), then by an unrelated one. */
async function landed() {
  const repo = await makeRepo({ files: { "a.txt": "one\n", "b.txt": "two\n" } });
  repos.push(repo.cleanup);
  const commit = (message: string, edit: string) => {
    Bun.spawnSync(["sh", "-c", edit], { cwd: repo.root });
    git(repo.root, ["add", "-A"]);
    git(repo.root, ["commit", "-q", "-m", message]);
    return git(repo.root, ["rev-parse", "HEAD"]);
  };
  const before = git(repo.root, ["rev-parse", "HEAD"]);
  commit("first", "echo three >> a.txt && git mv b.txt c.txt");
  const merged = commit("second", "echo new > n.txt");
  return { repo, before, merged, commit };
}

test("the landed commits are undone in a job checkout, newest first; the repository's own checkout and refs are untouched", async () => {
  const { repo, before, merged, commit } = await landed();
  const head = commit("unrelated", "echo other > o.txt");
  const status = git(repo.root, ["status", "--porcelain"]);
  expect(await revertRangeCommits(repo.root, before, merged)).toEqual({ commits: 2, merges: 0 });
  const checkout = await addJobCheckout(repo.paths, JOB, 1, head);
  try {
    expect(await revertRange(checkout, before, merged)).toEqual({ ok: true });
    expect(readFileSync(join(checkout.dir, "a.txt"), "utf8")).toBe("one\n");
    const { files } = await commitWorktree(checkout, { rules: { scope: ["a.txt", "b.txt", "c.txt", "n.txt"], maxFileBytes: 1000 }, message: "revert", trailers: {} });
    expect(files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(["deleted n.txt", "modified a.txt", "renamed b.txt"]);
  } finally {
    removeCheckout(checkout);
  }
  expect(git(repo.root, ["rev-parse", "HEAD"])).toBe(head);
  expect(git(repo.root, ["status", "--porcelain"])).toBe(status);
});

test("a revert that no longer applies names the conflicting files; the repository is untouched", async () => {
  const { repo, before, merged, commit } = await landed();
  const head = commit("rewrites the line", "sed -i s/three/THREE/ a.txt");
  const checkout = await addJobCheckout(repo.paths, JOB, 1, head);
  try {
    const r = await revertRange(checkout, before, merged);
    expect(r).toMatchObject({ ok: false, conflicts: ["a.txt"] });
    expect(r.ok ? "" : r.message).toContain("CONFLICT");
  } finally {
    removeCheckout(checkout);
  }
  expect(git(repo.root, ["rev-parse", "HEAD"])).toBe(head);
});
