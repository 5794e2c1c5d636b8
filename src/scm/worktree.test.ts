import { afterAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { commitWorktree } from "./commit.ts";
import { addJobCheckout, pruneFinishedWorktrees } from "./worktree.ts";

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
  const doneDir = (await addJobCheckout(repo.paths, done, 1, head)).dir;
  const strandedCheckout = await addJobCheckout(repo.paths, stranded, 1, head);
  const strandedDir = strandedCheckout.dir;
  const runningDir = (await addJobCheckout(repo.paths, running, 1, head)).dir;
  // A job's commit, on no branch yet (its host git dir's HEAD names it): removing the checkout would lose track of it.
  writeFileSync(join(strandedDir, "work.txt"), "precious\n");
  const { commit } = await commitWorktree(strandedCheckout, { rules: { scope: ["**"], maxFileBytes: 1000 }, message: "work", trailers: {} });
  // A commit a command made in the sandbox's own .git counts for nothing: the janitor never reads it.
  git(doneDir, ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "sandbox only"]);

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
