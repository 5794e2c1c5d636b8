import { afterAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { Report } from "../src/planning/report.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { Cluster, spawnPushpals } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";

/**
 * Issue #15: the RemoteAgent dispatches what `pushpals plan` ranks first, as tasks of the specialist
 * that takes them, follows each job's end, stops a task that fails the same way twice, obeys pause,
 * and never dispatches an item twice.
 */

// Each test has its own cluster and repository, and mostly waits on it (dispatch turns, jobs, checks): the
// tests run concurrently, two at a time.
const lane = lanes(2);
const started: Cluster[] = [];
// A test that timed out never reached the end of its scope: its cluster goes here.
afterAll(() => Promise.all(started.map((c) => c.stop())));

/** A cluster of the test's own, stopped when the test's scope ends (`await using`). */
async function newCluster(options: Parameters<typeof Cluster.create>[0]): Promise<Cluster> {
  const c = await Cluster.create(options);
  started.push(c);
  return c;
}

const CONFIG = '[repo]\nbase_branch = "main"\n\n[[checks.commands]]\nname = "ok"\nrun = "true"\n';

async function items(c: Cluster): Promise<WorkItem[]> {
  return (await c.client.call(routes.listWorkItems, { query: { all: "1" } })).items;
}

async function waitForItem(c: Cluster, id: string, predicate: (i: WorkItem) => boolean, timeoutMs = 30_000): Promise<WorkItem> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const item = (await items(c)).find((i) => i.id === id);
    if (item && predicate(item)) return item;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${id}; it is ${JSON.stringify(item)}`);
    await Bun.sleep(50);
  }
}

function add(c: Cluster, args: string[]): string {
  const r = c.cli(["backlog", "add", ...args, "--json"]);
  if (r.exitCode !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout).item.id;
}

/** A server over a repository with `src/a.txt`, and one codemod on the backlog that appends to it. */
async function serverWithCodemod(): Promise<{ c: Cluster; id: string } & AsyncDisposable> {
  const c = await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n" } });
  await c.startServer();
  return { c, id: add(c, ["append a line", "--run", "echo two >> src/a.txt", "--scope", "src/**"]), [Symbol.asyncDispose]: () => c.stop() };
}

test.concurrent("a codemod on the backlog is dispatched as a task, ships as a PR, and the item records it; a paused RemoteAgent dispatches nothing", () => lane(async () => {
  await using c = await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n" } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  expect(c.cli(["pause", "--why", "not yet"]).exitCode).toBe(0);
  const remote = await c.startRemoteAgent();
  const id = add(c, ["append a line", "--run", "echo two >> src/a.txt", "--scope", "src/**"]);
  const plan = c.cli(["plan"]).stdout;
  expect(plan).toContain("held: paused by");
  await Bun.sleep(1_500);
  expect((await items(c)).find((i) => i.id === id)!.state).toBe("open");

  expect(c.cli(["resume"]).exitCode).toBe(0);
  const dispatched = await waitForItem(c, id, (i) => i.state !== "open", 10_000);
  expect(dispatched.detail.specialist).toBe("codemod-runner");
  expect(dispatched.detail.task).toMatchObject({ goal: "append a line", risk: "low", constraints: { scope: ["src/**"] } });
  // The task's PR opened: the item waits on it, and ships only once it merges.
  const done = await waitForItem(c, id, (i) => typeof i.detail.pr === "number");
  expect(done.state).toBe("dispatched");
  expect(c.cli(["plan"]).stdout).toContain(`held: waiting on its PR #${done.detail.pr}: review, approval, merge`);
  const job = (await c.job(String(done.detail.job))).job;
  expect(job).toMatchObject({ kind: "run", state: "succeeded", dedupeKey: `task:${id}:1` });
  const { prs } = await c.client.call(routes.listPrs, { query: {} });
  expect(prs.filter((p) => p.jobId === job.id)).toHaveLength(1);
  expect(prs[0]!.body).toContain("**Goal:** append a line");
  expect(remote.output()).toContain(`dispatched ${id}`);

  // Merged, it is in the report: exactly that PR, its evidence and its exact revert.
  const pr = prs.find((p) => p.jobId === job.id)!;
  const merged = c.cli(["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await waitForItem(c, id, (i) => i.state === "done");
  const report = JSON.parse(c.cli(["report", "--json"]).stdout) as Report;
  expect(report.shipped.map((s) => s.pr)).toEqual([pr.number]);
  const landed = (await c.client.call(routes.getPr, { params: { number: pr.number } })).pr;
  expect(report.riskNotes[0]!.rollback).toBe(`pushpals revert ${pr.number} (git revert --no-edit ${landed.merge!.previousBaseSha}..${landed.merge!.mergedSha})`);
  expect(report.evidence[0]!.checks).toContain(`passed on ${landed.merge!.checks.sha.slice(0, 12)}`);
  const md = c.cli(["report", "--md", "--since", "1h"]).stdout;
  expect(md).toContain("## Shipped");
  expect(md).toContain(`- PR #${pr.number}: append a line`);
  expect(md).toContain("## Follow-ups");
  expect(c.cli(["report", "--since", "soon"]).exitCode).toBe(2);
}), lane.queuedTimeout(90_000));

test.concurrent("a task failing the same way twice stops, blocked with one question, and is not dispatched again", () => lane(async () => {
  await using c = await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n" } });
  await c.startServer();
  await c.startWorker("w1");
  await c.startRemoteAgent();
  // The command changes nothing: the job fails no_change, twice.
  const id = add(c, ["a codemod that does nothing", "--run", "true", "--scope", "src/**"]);
  const blocked = await waitForItem(c, id, (i) => i.state === "blocked");
  expect(blocked.detail.attempt).toBe(2);
  expect(blocked.detail.failures).toBe(2);
  expect(blocked.question).toContain("failed the same way twice");
  const plan = c.cli(["plan"]).stdout;
  expect(plan).toContain("open questions");
  // No third job: the item waits on a person.
  await Bun.sleep(1_000);
  const jobs = (await c.client.call(routes.listJobs, { query: { kind: "run" } })).jobs;
  expect(jobs.map((j) => j.dedupeKey).sort()).toEqual([`task:${id}:1`, `task:${id}:2`]);
}), lane.queuedTimeout(90_000));

test.concurrent("a dispatch asked twice (a RemoteAgent killed mid-dispatch and restarted) makes one job; only the RemoteAgent dispatches", () => lane(async () => {
  await using server = await serverWithCodemod();
  const { c, id } = server;
  const agent = await c.componentClient({ role: "remote-agent", name: "remote-agent" });
  const first = await agent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } });
  const again = await agent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } });
  expect(first.deduped).toBe(false);
  expect(again).toMatchObject({ deduped: true, job: { id: first.job!.id } });
  expect((await c.client.call(routes.listJobs, { query: { kind: "run" } })).jobs).toHaveLength(1);
  const worker = await c.componentClient({ role: "worker", name: "w9" });
  const refused = await worker.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } }).catch((err: Error) => err);
  expect((refused as Error).message).toContain("only the RemoteAgent dispatches work items");
  // Nor may a component add work: a backlog item can name a command.
  const added = await worker.call(routes.addBacklog, { body: { entry: { title: "sneaky", command: "curl evil", scope: ["**"] } } }).catch((err: Error) => err);
  expect((added as Error).message).toContain("people choose the work");
  const person = await c.client.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } }).catch((err: Error) => err);
  expect((person as Error).message).toContain("needs a component credential");
}), lane.queuedTimeout(60_000));

test.concurrent("a RemoteAgent killed -9 right after a dispatch, then restarted, makes no second job or PR", () => lane(async () => {
  await using c = await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n" } });
  await c.startServer();
  const first = spawnPushpals(["agent", "remote-agent"], c.root, { ...c.env, PUSHPALS_FAILPOINT: "remote-agent.dispatched" });
  c.procs.push(first);
  await first.waitForOutput(/\[remote-agent\] ready/);
  const id = add(c, ["append a line", "--run", "echo two >> src/a.txt", "--scope", "src/**"]);
  await first.waitForOutput(/failpoint remote-agent.dispatched reached/);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  const second = spawnPushpals(["agent", "remote-agent"], c.root, c.env);
  c.procs.push(second);
  await second.waitForOutput(/\[remote-agent\] ready/);
  await c.startWorker("w1");
  await c.startAgents();
  await waitForItem(c, id, (i) => typeof i.detail.pr === "number");
  await Bun.sleep(1_000);
  const jobs = (await c.client.call(routes.listJobs, { query: { kind: "run" } })).jobs;
  expect(jobs.map((j) => j.dedupeKey)).toEqual([`task:${id}:1`]);
  expect((await c.client.call(routes.listPrs, { query: {} })).prs).toHaveLength(1);
  expect(second.output()).not.toContain("dispatched wi_");
}), lane.queuedTimeout(90_000));

test.concurrent("[remote_agent] caps hold at max_in_flight, and dispatch = false plans without dispatching", () => lane(async () => {
  await using c = await newCluster({ configToml: `${CONFIG}\n[remote_agent]\nmax_in_flight = 1\n`, files: { "src/a.txt": "one\n", "src/b.txt": "two\n" } });
  await c.startServer();
  const first = add(c, ["append to a", "--run", "echo x >> src/a.txt", "--scope", "src/a.txt"]);
  const second = add(c, ["append to b", "--run", "echo x >> src/b.txt", "--scope", "src/b.txt"]);
  const agent = await c.componentClient({ role: "remote-agent", name: "remote-agent" });
  await agent.call(routes.dispatchWorkItem, { params: { id: first }, body: { baseBranch: "main" } });
  const refused = await agent.call(routes.dispatchWorkItem, { params: { id: second }, body: { baseBranch: "main" } }).catch((err: Error) => err);
  expect((refused as Error).message).toContain("cap: 1 of 1 items in flight (remote_agent.max_in_flight)");
  const plan = c.cli(["plan"]).stdout;
  expect(plan).toContain("held: cap: 1 of 1 items in flight (remote_agent.max_in_flight)");
  await c.stop();

  await using off = await newCluster({ configToml: `${CONFIG}\n[remote_agent]\ndispatch = false\n`, files: { "src/a.txt": "one\n" } });
  await off.startServer();
  const id = add(off, ["append to a", "--run", "echo x >> src/a.txt", "--scope", "src/a.txt"]);
  expect(off.cli(["plan"]).stdout).toContain("held: remote_agent.dispatch = false: planning only, nothing is dispatched");
  const offAgent = await off.componentClient({ role: "remote-agent", name: "remote-agent" });
  const none = await offAgent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } }).catch((err: Error) => err);
  expect((none as Error).message).toContain("planning only");
}), lane.queuedTimeout(60_000));

test.concurrent("the RemoteAgent checks each new head of the base: a red check becomes one failing-build item, triaged by the CI Medic, seen again on the next head", () => lane(async () => {
  await using c = await newCluster({ configToml: '[repo]\nbase_branch = "main"\n\n[[checks.commands]]\nname = "unit"\nrun = "test -f ok"\n' });
  await c.startServer();
  await c.startWorker("w1");
  const remote = await c.startRemoteAgent();
  const deadline = Date.now() + 30_000;
  const red = async () => (await items(c)).find((i) => i.source === "failing_build");
  let item = await red();
  while (!item && Date.now() < deadline) {
    await Bun.sleep(100);
    item = await red();
  }
  expect(item?.title).toBe("unit is red on main");
  // The CI Medic reruns it in fresh checkouts of the red commit: it fails every time the same way, so it is broken, and asks.
  const triaged = await waitForItem(c, item!.id, (i) => i.state === "blocked");
  expect(triaged.detail.specialist).toBe("ci-medic");
  expect(triaged.question).toContain(`unit is broken on ${String(triaged.detail.lastRedCommit).slice(0, 12)}: it failed 3 of 3 reruns the same way (exit 1)`);
  const triage = (await c.job(String(triaged.detail.job))).job;
  expect(triage).toMatchObject({ kind: "triage", state: "succeeded", input: { check: { name: "unit", run: "test -f ok" }, runs: 3 } });
  expect(remote.output()).toContain(`dispatched ${item!.id} (unit is red on main) to ci-medic`);
  Bun.spawnSync(["git", "commit", "-q", "--allow-empty", "-m", "still red"], { cwd: c.root });
  const again = await waitForItem(c, item!.id, (i) => i.detail.seen === 2);
  expect(again.detail.firstRedCommit).not.toBe(again.detail.lastRedCommit);
  expect((await items(c)).filter((i) => i.source === "failing_build")).toHaveLength(1);
  expect(remote.output()).toMatch(/checking main at [0-9a-f]{12}: job job_/);
}), lane.queuedTimeout(60_000));

test.concurrent("the review's self-approval rule holds for backlog work: the task's job and PR are the requester's; a client cannot take a task key", () => lane(async () => {
  await using server = await serverWithCodemod();
  const { c, id } = server;
  const taken = await c.client.call(routes.enqueueJob, { body: { kind: "noop", input: {}, dedupeKey: `task:${id}:1` } }).catch((err: Error) => err);
  expect((taken as Error).message).toContain("reserved for the server's own jobs");
  const agent = await c.componentClient({ role: "remote-agent", name: "remote-agent" });
  const { job } = await agent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } });
  const me = (await items(c)).find((i) => i.id === id)!.createdBy;
  expect(job!.createdBy).toBe(me);
  const bad = c.cli(["backlog", "add", "no command", "--type", "codemod", "--scope", "src/**"]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain("a codemod needs its command (--run)");
}), lane.queuedTimeout(60_000));

test.concurrent("dropping a dispatched item cancels its task's job; the job's end no longer moves the item", () => lane(async () => {
  await using server = await serverWithCodemod();
  const { c, id } = server;
  const agent = await c.componentClient({ role: "remote-agent", name: "remote-agent" });
  const { job } = await agent.call(routes.dispatchWorkItem, { params: { id }, body: { baseBranch: "main" } });
  const dropped = c.cli(["backlog", "drop", id, "--why", "not now"]);
  expect(dropped.exitCode, dropped.stderr).toBe(0);
  expect((await c.job(job!.id)).job.state).toBe("cancelled");
  expect((await items(c)).find((i) => i.id === id)!.state).toBe("dropped");
}), lane.queuedTimeout(60_000));

test.concurrent("with check_base_every_seconds the same base head is checked again on schedule: its red check is seen again, one item", () => lane(async () => {
  await using c = await newCluster({ configToml: '[repo]\nbase_branch = "main"\n\n[remote_agent]\ncheck_base_every_seconds = 1\n\n[[checks.commands]]\nname = "unit"\nrun = "test -f ok"\n' });
  await c.startServer();
  await c.startWorker("w1");
  const remote = spawnPushpals(["agent", "remote-agent"], c.root, c.env);
  c.procs.push(remote);
  await remote.waitForOutput(/\(on schedule\): job job_/, 30_000);
  const deadline = Date.now() + 30_000;
  let red = (await items(c)).filter((i) => i.source === "failing_build");
  while (!(red[0]?.detail.seen as number >= 2) && Date.now() < deadline) {
    await Bun.sleep(100);
    red = (await items(c)).filter((i) => i.source === "failing_build");
  }
  expect(red).toHaveLength(1);
  expect(red[0]!.detail.seen).toBeGreaterThanOrEqual(2);
  expect(red[0]!.detail.firstRedCommit).toBe(red[0]!.detail.lastRedCommit);
}), lane.queuedTimeout(60_000));
