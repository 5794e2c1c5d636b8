import { afterAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { addJobWorktree, pruneFinishedWorktrees } from "./worktree.ts";

const repos: (() => void)[] = [];
afterAll(() => repos.forEach((cleanup) => cleanup()));

function git(cwd: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

test("the janitor removes finished jobs' worktrees, but keeps one whose commit no ref reaches", async () => {
  const repo = await makeRepo();
  repos.push(repo.cleanup);
  const head = git(repo.root, ["rev-parse", "HEAD"]);
  const done = "job_00000000000000000000000000000001";
  const stranded = "job_00000000000000000000000000000002";
  const running = "job_00000000000000000000000000000003";
  const doneDir = await addJobWorktree(repo.paths, done, 1, head);
  const strandedDir = await addJobWorktree(repo.paths, stranded, 1, head);
  const runningDir = await addJobWorktree(repo.paths, running, 1, head);
  // A commit made in the worktree on its detached HEAD, on no branch: removing the worktree would lose it.
  writeFileSync(join(strandedDir, "work.txt"), "precious\n");
  git(strandedDir, ["add", "work.txt"]);
  git(strandedDir, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "work"]);
  const commit = git(strandedDir, ["rev-parse", "HEAD"]);

  const report = await pruneFinishedWorktrees(repo.paths, (id) => id === running);
  expect(report.removed).toEqual([done]);
  expect(report.kept).toEqual([{ jobId: stranded, dir: strandedDir, commit }]);
  expect(existsSync(doneDir)).toBe(false);
  expect(existsSync(join(strandedDir, "work.txt"))).toBe(true);
  expect(existsSync(runningDir)).toBe(true);

  // Once a ref reaches the commit, the worktree can go.
  git(repo.root, ["update-ref", "refs/heads/saved", commit]);
  const again = await pruneFinishedWorktrees(repo.paths, (id) => id === running);
  expect(again.removed).toEqual([stranded]);
  expect(again.kept).toEqual([]);
});
