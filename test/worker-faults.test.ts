import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

function worktreeCount(root: string): number {
  const r = Bun.spawnSync(["git", "worktree", "list", "--porcelain"], { cwd: root, stdout: "pipe" });
  return r.stdout.toString().split("\n").filter((l) => l.startsWith("worktree ")).length;
}

async function checksInput(c: Cluster, run: string) {
  const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim();
  return { commit: head, commands: [{ name: "slow", run }], timeoutSeconds: 60 };
}

test("kill -9 a worker mid-checks: the job is re-leased after expiry, succeeds exactly once, and no worktree leaks", async () => {
  cluster = await Cluster.create();
  await cluster.startServer(["--lease-ms", "800"]);
  const victim = await cluster.startWorker("victim");
  // The sandbox lets a command write only its worktree, so that is where it leaves its mark.
  const job = await cluster.enqueue("checks", await checksInput(cluster, "echo started > started; sleep 1; echo finished"));
  const marker = join(cluster.paths.worktreesDir, job.id, "a1-work", "started");
  await cluster.waitForJob(job.id, (j) => j.state === "running");
  // Wait until the command itself is running, then kill the worker without warning.
  for (let i = 0; i < 400 && !existsSync(marker); i++) await Bun.sleep(25);
  expect(existsSync(marker)).toBe(true);
  victim.proc.kill("SIGKILL");
  await victim.proc.exited;
  await cluster.startWorker("rescuer");

  const final = await cluster.waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "failed");
  expect(final.state).toBe("succeeded");
  expect(final.attempt).toBe(2);
  const { transitions } = await cluster.job(job.id);
  expect(transitions.map((t) => t.to)).toEqual(["queued", "running", "queued", "running", "succeeded"]);
  expect(transitions[2]!.actor).toBe("server");
  // The server notices the dead process (same machine) before the lease would have run out.
  expect(transitions[2]!.reason).toMatch(/lease of wrk_\w+ lost \((its process \(pid \d+\) is gone|stopped heartbeating)\)/);
  expect(transitions.filter((t) => t.to === "succeeded")).toHaveLength(1);
  // The first attempt died before it finished; the second ran to the end.
  expect(cluster.cli(["logs", job.id]).stdout.match(/^finished$/gm)).toHaveLength(1);
  expect(worktreeCount(cluster.root)).toBe(1);
  expect(existsSync(join(cluster.paths.worktreesDir, job.id))).toBe(false);
}, 30_000);

test("SIGSTOP a worker past its lease, then SIGCONT: its late heartbeat and completion are rejected", async () => {
  cluster = await Cluster.create();
  await cluster.startServer(["--lease-ms", "600"]);
  const sleeper = await cluster.startWorker("sleeper");
  const job = await cluster.enqueue("noop", { sleepMs: 1_500 });
  const running = await cluster.waitForJob(job.id, (j) => j.state === "running");
  sleeper.proc.kill("SIGSTOP");
  await cluster.waitForJob(job.id, (j) => j.state === "queued");
  await cluster.startWorker("taker");
  const done = await cluster.waitForJob(job.id, (j) => j.state === "succeeded");
  expect(done.generation).toBe(2);

  sleeper.proc.kill("SIGCONT");
  await sleeper.waitForOutput(/lease on job_\w+ was lost|report for job_\w+ rejected/);
  // The paused worker's token is stale: every mutation it could still send is refused.
  const stale = { workerId: running.workerId!, token: running.generation };
  const client = await cluster.componentClient();
  const params = { id: job.id };
  for (const send of [
    () => client.call(routes.heartbeatJob, { params, body: stale }),
    () => client.call(routes.completeJob, { params, body: { ...stale, result: null } }),
    () => client.call(routes.appendJobLogs, { params, body: { ...stale, lines: [{ stream: "stdout", line: "late" }] } }),
  ]) {
    await expect(send()).rejects.toMatchObject({ code: "lease_lost" });
  }
  const { transitions, job: after } = await cluster.job(job.id);
  expect(after.state).toBe("succeeded");
  const succeeded = transitions.filter((t) => t.to === "succeeded");
  expect(succeeded).toHaveLength(1);
  expect(succeeded[0]!.actor).not.toBe(`worker:${running.workerId}`);
}, 30_000);

test("a worker that lost its lease cleans up only its own worktree, never the new owner's", async () => {
  cluster = await Cluster.create();
  await cluster.startServer(["--lease-ms", "600"]);
  const stale = await cluster.startWorker("stale");
  // Attempt 1 is stopped mid-command; attempt 2 needs its worktree for the whole of its run.
  const job = await cluster.enqueue("checks", await checksInput(cluster, "sleep 1.5; test -f README.md"));
  await cluster.waitForJob(job.id, (j) => j.state === "running" && j.logLines > 0);
  stale.proc.kill("SIGSTOP");
  await cluster.waitForJob(job.id, (j) => j.state === "queued");
  await cluster.startWorker("owner");
  await cluster.waitForJob(job.id, (j) => j.state === "running" && j.generation === 2);
  stale.proc.kill("SIGCONT");
  await stale.waitForOutput(/lease on job_\w+ was lost|report for job_\w+ rejected/);
  const final = await cluster.waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "failed");
  expect(final.failure).toBeNull();
  expect(final.state).toBe("succeeded");
  expect(worktreeCount(cluster.root)).toBe(1);
}, 30_000);

test("cancel: a queued job ends at once, a running checks job is stopped and ends cancelled", async () => {
  cluster = await Cluster.create();
  await cluster.startServer();
  const queued = await cluster.enqueue("noop", {});
  const cancelled = cluster.cli(["cancel", queued.id, "--json"]);
  expect(cancelled.exitCode).toBe(0);
  expect(JSON.parse(cancelled.stdout).job.state).toBe("cancelled");

  await cluster.startWorker("w");
  const job = await cluster.enqueue("checks", await checksInput(cluster, "sleep 30"));
  await cluster.waitForJob(job.id, (j) => j.state === "running" && j.logLines > 0);
  const started = Date.now();
  expect(cluster.cli(["cancel", job.id]).stdout).toMatch(/cancel requested/);
  const final = await cluster.waitForJob(job.id, (j) => j.state === "cancelled", 15_000);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(final.failure?.class).toBe("cancelled");
  expect(worktreeCount(cluster.root)).toBe(1);
}, 30_000);

test("SIGTERM a worker mid-job: it returns the job to the queue without spending an attempt, and exits 0", async () => {
  cluster = await Cluster.create();
  await cluster.startServer();
  const leaving = await cluster.startWorker("leaving");
  const job = await cluster.enqueue("noop", { sleepMs: 20_000 }, { maxAttempts: 1 });
  await cluster.waitForJob(job.id, (j) => j.state === "running");
  leaving.proc.kill("SIGTERM");
  expect(await leaving.proc.exited).toBe(0);
  const back = await cluster.waitForJob(job.id, (j) => j.state === "queued");
  expect(back.attempt).toBe(0);
  const { transitions } = await cluster.job(job.id);
  expect(transitions.at(-1)!.reason).toMatch(/returned to the queue: worker stopping/);
}, 30_000);

test("checks on a commit that does not exist fail at once as invalid_input, without retries", async () => {
  cluster = await Cluster.create();
  await cluster.startServer();
  await cluster.startWorker("w");
  const job = await cluster.enqueue("checks", { commit: "0".repeat(40), commands: [{ name: "t", run: "true" }] });
  const final = await cluster.waitForJob(job.id, (j) => j.state === "failed" || j.state === "retry_wait");
  expect(final.state).toBe("failed");
  expect(final.failure?.class).toBe("invalid_input");
  expect(final.attempt).toBe(1);
}, 30_000);
