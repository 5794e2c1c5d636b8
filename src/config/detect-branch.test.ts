import { afterAll, expect, test } from "bun:test";
import { makeRepo } from "../../test/helpers/cluster.ts";
import { detectBaseBranch } from "./detect-branch.ts";

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups) c();
});

async function repo(): Promise<{ root: string; git: (...args: string[]) => void }> {
  const r = await makeRepo();
  cleanups.push(r.cleanup);
  const git = (...args: string[]) => {
    const p = Bun.spawnSync(["git", ...args], { cwd: r.root, stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${p.stderr.toString()}`);
  };
  return { root: r.root, git };
}

test("origin/HEAD wins, without its origin/ prefix", async () => {
  const { root, git } = await repo();
  git("checkout", "-q", "-b", "feature/x");
  git("update-ref", "refs/remotes/origin/release/2.x", "HEAD");
  git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/release/2.x");
  expect(await detectBaseBranch(root)).toEqual({ branch: "release/2.x", source: "origin/HEAD" });
});

test("without origin/HEAD: the current branch", async () => {
  const { root, git } = await repo();
  git("checkout", "-q", "-b", "trunk");
  expect((await detectBaseBranch(root)).branch).toBe("trunk");
});

test("detached HEAD and no origin/HEAD: main", async () => {
  const { root, git } = await repo();
  git("checkout", "-q", "--detach");
  expect(await detectBaseBranch(root)).toMatchObject({ branch: "main", source: expect.stringContaining("detached") });
});
