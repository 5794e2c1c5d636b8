import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { Cluster } from "./helpers/cluster.ts";

/** Issue #15 item 10: `pushpals revert <pr>` opens a PR undoing a merged PR, through the same gates. */

let cluster: Cluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const CONFIG = `
[checks]
commands = [{ name = "content", run = "test -f src/a.txt && ! grep -q BROKEN src/a.txt" }]
`;

function git(root: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function startCluster(): Promise<Cluster> {
  const c = await Cluster.create({ configToml: CONFIG, files: { "src/a.txt": "one\n", "src/b.txt": "two\n" } });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  return c;
}

async function pr(c: Cluster, number: number): Promise<PullRequest> {
  return (await c.client.call(routes.getPr, { params: { number } })).pr;
}

function ship(c: Cluster, command: string): PullRequest {
  const r = c.cli(["run", "--json", "--scope", "src/**", "--title", "change src", "--", command]);
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
}

function merge(c: Cluster, number: number): void {
  const r = c.cli(["pr", "merge", String(number)]);
  expect(r.exitCode, r.stdout + r.stderr).toBe(0);
}

function revert(c: Cluster, number: number, ...flags: string[]): { exitCode: number; out: { job: Job; deduped: boolean; pr?: PullRequest | null }; stderr: string } {
  const r = c.cli(["revert", String(number), "--json", ...flags]);
  return { exitCode: r.exitCode, out: r.stdout ? JSON.parse(r.stdout) : null, stderr: r.stderr };
}

function leftoverWorktrees(c: Cluster): string[] {
  return existsSync(c.paths.worktreesDir) ? readdirSync(c.paths.worktreesDir) : [];
}

test("revert of a merged PR: the same job when asked twice, a PR that undoes it exactly, merged through the same gates", async () => {
  const c = await startCluster();
  const before = git(c.root, ["rev-parse", "main^{tree}"]);
  const original = ship(c, "echo three >> src/a.txt && mv src/b.txt src/c.txt && echo new > 'src/[new].txt'");
  merge(c, original.number);
  const landed = (await pr(c, original.number)).merge!;
  expect(git(c.root, ["rev-parse", "main"])).toBe(landed.mergedSha);

  // Asked twice while it runs: one job.
  const first = revert(c, original.number, "--no-wait");
  const second = revert(c, original.number, "--no-wait");
  expect(first.exitCode, first.stderr).toBe(0);
  expect(first.out.deduped).toBe(false);
  expect(second.out).toMatchObject({ deduped: true, job: { id: first.out.job.id } });
  expect(first.out.job).toMatchObject({ kind: "revert", dedupeKey: `revert:${original.number}` });

  // Waiting on it (a third ask, once its PR is open: still the same job) shows the PR it opened.
  await c.waitForJob(first.out.job.id, (j) => j.state === "succeeded" || j.state === "failed", 60_000);
  const waited = revert(c, original.number);
  expect(waited.exitCode, waited.stderr).toBe(0);
  expect(waited.out).toMatchObject({ deduped: true, job: { id: first.out.job.id, state: "succeeded" } });
  const opened = waited.out.pr!;
  expect(opened.title).toBe("Revert #1: change src");
  expect(opened.body).toContain(`Reverts PR #1 ("change src"), merged into main as ${landed.mergedSha}.`);
  expect(opened.body).toContain(`${landed.previousBaseSha}..${landed.mergedSha}`);
  expect(opened).toMatchObject({ state: "open", baseBranch: "main", baseSha: landed.mergedSha, risk: "low", role: "codemod", createdBy: original.createdBy });
  expect(opened.scope.sort()).toEqual(["src/\\[new\\].txt", "src/a.txt", "src/b.txt", "src/c.txt"]);
  expect(opened.checks).toMatchObject({ state: "passed", sha: opened.headSha });
  expect(opened.review?.headSha).toBe(opened.headSha);
  // Its diff is the original's, backwards.
  expect(git(c.root, ["rev-parse", `${opened.headSha}^{tree}`])).toBe(before);
  expect(git(c.root, ["diff", "--name-status", "--no-renames", opened.baseSha, opened.headSha]).split("\n").sort()).toEqual(["A\tsrc/b.txt", "D\tsrc/[new].txt", "D\tsrc/c.txt", "M\tsrc/a.txt"]);
  const message = git(c.root, ["log", "-1", "--format=%B", opened.headSha]);
  expect(message).toContain(`PushPals-Reverts: #1 ${landed.mergedSha}`);

  // The same gate as any PR: checks on the head, the ReviewAgent's approval of it, the tier's approvals.
  const gate = await c.client.call(routes.prGate, { params: { number: opened.number }, query: {} });
  expect(gate).toMatchObject({ ok: true, gates: { tier: "low" }, missing: [] });
  merge(c, opened.number);
  const done = await pr(c, opened.number);
  expect(done.state).toBe("merged");
  expect(git(c.root, ["rev-parse", "main"])).toBe(done.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", "main^{tree}"])).toBe(before);

  // Once its revert has merged, the PR is not reverted twice; the revert itself can be.
  const again = revert(c, original.number);
  expect(again.exitCode).toBe(5);
  expect(JSON.parse(again.stderr).error).toMatchObject({ code: "conflict", message: `PR #1 is already reverted: its revert, PR #${opened.number}, is merged` });
  expect(leftoverWorktrees(c)).toEqual([]);
  const exported = c.cli(["audit", "export"]).stdout;
  expect(exported).toContain('"action":"pr.revert_requested"');
}, 120_000);

test("an open PR is not reverted; a revert whose lines changed since fails `conflict` naming the file, and opens no PR", async () => {
  const c = await startCluster();
  const first = ship(c, "sed -i s/one/ONE/ src/a.txt");
  const refused = revert(c, first.number);
  expect(refused.exitCode).toBe(5);
  expect(JSON.parse(refused.stderr).error).toMatchObject({ code: "conflict", message: "PR #1 is open: only a merged PR can be reverted" });
  const plain = c.cli(["revert", "1"]);
  expect(plain.stderr).toContain("fix: nothing of it has landed; close it instead: pushpals pr close 1");
  expect(c.cli(["revert", "99"]).exitCode).toBe(4);
  // A client cannot queue a revert job itself, nor take its dedupe key first.
  const taken = c.cli(["enqueue", "noop", "--dedupe-key", "revert:1"]);
  expect(taken.exitCode).not.toBe(0);
  expect(taken.stderr).toContain("reserved for the server's own jobs");
  const own = c.cli(["enqueue", "revert", "--input", "{}"]);
  expect(own.stderr).toContain("a client cannot create a revert job");
  expect(own.stderr).toContain("pushpals revert <n>");

  merge(c, first.number);
  merge(c, ship(c, "sed -i s/ONE/UNO/ src/a.txt").number);
  const head = git(c.root, ["rev-parse", "main"]);
  const conflicted = revert(c, first.number);
  expect(conflicted.exitCode).toBe(1);
  expect(conflicted.out.pr).toBeNull();
  expect(conflicted.out.job.failure).toMatchObject({ class: "conflict", evidence: { paths: ["src/a.txt"] } });
  expect(conflicted.out.job.failure?.message).toContain("src/a.txt");
  expect(git(c.root, ["rev-parse", "main"])).toBe(head);
  expect((await c.client.call(routes.listPrs, { query: {} })).prs).toHaveLength(2);
  expect(leftoverWorktrees(c)).toEqual([]);
}, 120_000);
