import { afterAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";

// Each test has its own cluster and repository, and mostly waits on it (leases running out, a stopped
// worker): the tests run concurrently, two at a time.
const lane = lanes(2);
const started: Cluster[] = [];
// Where the holds of slow commands live (see `hold`): /var/tmp, which a command's sandbox shows read-only.
const holds = mkdtempSync("/var/tmp/pushpals-worker-faults-");
afterAll(async () => {
  // A test that timed out never reached the end of its scope: its cluster goes here.
  await Promise.all(started.map((c) => c.stop()));
  rmSync(holds, { recursive: true, force: true });
});

/** A cluster of the test's own, stopped when the test's scope ends (`await using`). */
async function newCluster(): Promise<Cluster> {
  const c = await Cluster.create();
  started.push(c);
  return c;
}

/**
 * A slow command the test controls: `run` waits while the hold is set, so the test acts (kills, stops a
 * worker) while the command is running, for certain, and lets it finish when it is done.
 */
function hold(name: string): { run: string; set(): void; release(): void } {
  const file = join(holds, name);
  // A sandbox that could not see the hold would let the command run through: it fails instead.
  return { run: `test -d ${holds} || exit 97; while [ -e ${file} ]; do sleep 0.05; done`, set: () => writeFileSync(file, ""), release: () => rmSync(file, { force: true }) };
}

function worktreeCount(root: string): number {
  const r = Bun.spawnSync(["git", "worktree", "list", "--porcelain"], { cwd: root, stdout: "pipe" });
  return r.stdout.toString().split("\n").filter((l) => l.startsWith("worktree ")).length;
}

async function checksInput(c: Cluster, run: string) {
  const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim();
  return { commit: head, commands: [{ name: "slow", run }], timeoutSeconds: 60 };
}

test.concurrent("kill -9 a worker mid-checks: the job is re-leased after expiry, succeeds exactly once, and no worktree leaks", () => lane(async () => {
  await using cluster = await newCluster();
  await cluster.startServer(["--lease-ms", "800"]);
  const victim = await cluster.startWorker("victim");
  // The sandbox lets a command write only its worktree, so that is where it leaves its mark; the first
  // attempt is held after it, until the worker is dead.
  const slow = hold("victim");
  slow.set();
  const job = await cluster.enqueue("checks", await checksInput(cluster, `echo started > started; ${slow.run}; echo finished`));
  const marker = join(cluster.paths.worktreesDir, job.id, "a1-work", "started");
  await cluster.waitForJob(job.id, (j) => j.state === "running");
  // Wait until the command itself is running, then kill the worker without warning.
  for (let i = 0; i < 400 && !existsSync(marker); i++) await Bun.sleep(25);
  expect(existsSync(marker)).toBe(true);
  victim.proc.kill("SIGKILL");
  await victim.proc.exited;
  slow.release();
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
}), lane.queuedTimeout(30_000));

test.concurrent("SIGSTOP a worker past its lease, then SIGCONT: its late heartbeat and completion are rejected", () => lane(async () => {
  await using cluster = await newCluster();
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
}), lane.queuedTimeout(30_000));

test.concurrent("a worker that lost its lease cleans up only its own worktree, never the new owner's", () => lane(async () => {
  await using cluster = await newCluster();
  await cluster.startServer(["--lease-ms", "600"]);
  const stale = await cluster.startWorker("stale");
  // Attempt 1 is stopped mid-command; attempt 2 needs its worktree for the whole of its run, held until
  // the stale worker has cleaned up.
  const slow = hold("owner");
  slow.set();
  const job = await cluster.enqueue("checks", await checksInput(cluster, `${slow.run}; test -f README.md`));
  await cluster.waitForJob(job.id, (j) => j.state === "running" && j.logLines > 0);
  stale.proc.kill("SIGSTOP");
  await cluster.waitForJob(job.id, (j) => j.state === "queued");
  await cluster.startWorker("owner");
  await cluster.waitForJob(job.id, (j) => j.state === "running" && j.generation === 2);
  stale.proc.kill("SIGCONT");
  await stale.waitForOutput(/lease on job_\w+ was lost|report for job_\w+ rejected/);
  slow.release();
  const final = await cluster.waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "failed");
  expect(final.failure).toBeNull();
  expect(final.state).toBe("succeeded");
  expect(worktreeCount(cluster.root)).toBe(1);
}), lane.queuedTimeout(30_000));

test.concurrent("cancel: a queued job ends at once, a running checks job is stopped and ends cancelled", () => lane(async () => {
  await using cluster = await newCluster();
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
}), lane.queuedTimeout(30_000));

test.concurrent("SIGTERM a worker mid-job: it returns the job to the queue without spending an attempt, and exits 0", () => lane(async () => {
  await using cluster = await newCluster();
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
}), lane.queuedTimeout(30_000));

test.concurrent("checks on a commit that does not exist fail at once as invalid_input, without retries", () => lane(async () => {
  await using cluster = await newCluster();
  await cluster.startServer();
  await cluster.startWorker("w");
  const job = await cluster.enqueue("checks", { commit: "0".repeat(40), commands: [{ name: "t", run: "true" }] });
  const final = await cluster.waitForJob(job.id, (j) => j.state === "failed" || j.state === "retry_wait");
  expect(final.state).toBe("failed");
  expect(final.failure?.class).toBe("invalid_input");
  expect(final.attempt).toBe(1);
}), lane.queuedTimeout(30_000));
