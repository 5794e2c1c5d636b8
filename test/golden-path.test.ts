import { afterAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { existsSync } from "node:fs";
import { ApiClient } from "../src/client/api-client.ts";
import type { Component } from "../src/store/components/component-rows.ts";
import { isProcessAlive } from "../src/runtime-dir/server-file.ts";
import { readSupervisorInfo } from "../src/runtime-dir/supervisor-file.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { StatusSnapshot } from "../src/api/responses.ts";
import { makeRepo, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";

type Repo = Awaited<ReturnType<typeof makeRepo>>;

// Each test runs its own runtimes over repositories of its own, and mostly waits on them (starts, restart
// backoffs, orphans noticing their supervisor is gone): the tests run concurrently, two at a time.
const lane = lanes(2);

/** What one test started: its repositories (stopped and removed when it ends) and every pid it saw (then killed -9). */
class Runtimes implements AsyncDisposable {
  readonly repos: Repo[] = [];
  readonly pids = new Set<number>();

  constructor() {
    live.add(this);
  }

  async newRepo(): Promise<Repo> {
    // The RemoteAgent's own checks of each new base head would add jobs these tests count.
    return this.adopt(await makeRepo({ configToml: '[remote_agent]\ncheck_base = false\n\n[[checks.commands]]\nname = "ok"\nrun = "true"\n' }));
  }

  adopt(repo: Repo): Repo {
    this.repos.push(repo);
    return repo;
  }

  async startDetached(repo: Repo, workers: number) {
    const r = await cli(repo, ["start", "--detach", "--workers", String(workers)]);
    expect(r.stdout).toContain("all systems online");
    expect(r.exitCode).toBe(0);
    const status = await snapshot(repo);
    for (const c of status.components) if (c.pid) this.pids.add(c.pid);
    this.pids.add(readSupervisorInfo(repo.paths.supervisorFile)!.pid);
    return r;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    live.delete(this);
    for (const repo of this.repos.splice(0)) {
      await cli(repo, ["stop"]);
      repo.cleanup();
    }
    for (const pid of this.pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    this.pids.clear();
  }
}

// A test that timed out never reached the end of its scope: what it started goes at the end of the file.
const live = new Set<Runtimes>();
afterAll(async () => {
  for (const runtimes of [...live]) await runtimes[Symbol.asyncDispose]();
});

/** The CLI as a child process, awaited without blocking the event loop (the other test's waits keep running). */
async function cli(repo: Repo, args: string[], timeout?: number) {
  const proc = Bun.spawn([PUSHPALS_BIN, ...args], { cwd: repo.root, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

async function snapshot(repo: Repo): Promise<StatusSnapshot> {
  return new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true }).call(routes.status);
}

/** Polls the API (retrying while the server itself restarts) until the predicate holds. */
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(25);
  }
}

const component = (s: StatusSnapshot, name: string) => s.components.find((c) => c.name === name);

test.concurrent("start reaches all systems online; status --json lists every component; stop leaves nothing running", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  const out = await rt.startDetached(repo, 2);
  for (const name of ["server", "remote-agent", "review-agent", "scm", "worker-1", "worker-2"]) expect(out.stdout).toMatch(new RegExp(`${name}\\s+ready`));
  const status = JSON.parse((await cli(repo, ["status", "--json"])).stdout);
  expect(status.online).toBe(true);
  expect(status.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(status.components.map((c: Component) => `${c.name}:${c.role}:${c.state}`).sort()).toEqual(
    ["remote-agent:remote-agent:ready", "review-agent:review-agent:ready", "scm:scm:ready", "server:server:ready", "worker-1:worker:ready", "worker-2:worker:ready"],
  );
  const running = status.components.map((c: Component) => c.pid) as number[];
  if (process.platform === "linux") {
    // Every process of the runtime, the supervisor too, with its memory and in the total.
    expect(status.supervisorProcess.pid).toBe(status.supervisor.pid);
    for (const m of [...status.components.map((c: { memory: unknown }) => c.memory), status.supervisorProcess.memory]) {
      expect(m).toMatchObject({ rssBytes: expect.any(Number), pssBytes: expect.any(Number) });
    }
    expect(status.memoryTotal.processes).toBe(running.length + 1);
    const human = (await cli(repo, ["status"])).stdout;
    for (const name of ["server", "worker-1", "worker-2", "scm", "supervisor"]) expect(human).toMatch(new RegExp(`^${name}\\s.*pss \\d+\\.\\d MiB  rss \\d+\\.\\d MiB$`, "m"));
    expect(human).toMatch(/^memory: pss \d+\.\d MiB over 7 processes/m);
  }

  const again = await cli(repo, ["start", "--detach"]);
  expect(again.exitCode).toBe(0);
  expect(again.stdout).toMatch(/already running.*nothing started/);
  expect(readSupervisorInfo(repo.paths.supervisorFile)!.pid).toBe(status.supervisor.pid);

  const stop = await cli(repo, ["stop"]);
  expect(stop.exitCode).toBe(0);
  for (const pid of [...running, status.supervisor.pid]) expect(isProcessAlive(pid)).toBe(false);
  expect(existsSync(repo.paths.serverFile)).toBe(false);
  expect(existsSync(repo.paths.supervisorFile)).toBe(false);
  expect((await cli(repo, ["status"])).exitCode).toBe(3);
}), lane.queuedTimeout(60_000));

test.concurrent("kill -9 of each component in turn is survived: restarted, the crash recorded, a worker's job returned", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  await rt.startDetached(repo, 2);
  const api = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  const data = await api.call(routes.enqueueJob, { body: { kind: "noop", input: { sleepMs: 60_000 } } });
  const running = await waitFor("the job to run", async () => {
    const j = await api.call(routes.getJob, { params: { id: data.job.id } });
    return j.job.state === "running" ? j.job : null;
  });

  for (const name of ["worker-1", "worker-2", "remote-agent", "review-agent", "scm", "server"]) {
    const before = component(await snapshot(repo), name)!;
    process.kill(before.pid!, "SIGKILL");
    // The crash report and the new process's ready handshake may land in either order.
    const after = await waitFor(`${name} to come back`, async () => {
      const c = component(await snapshot(repo), name);
      return c && c.state === "ready" && c.pid !== before.pid && c.restarts === before.restarts + 1 ? c : null;
    });
    rt.pids.add(after.pid!);
    expect(after.lastExit).toBe("signal SIGKILL");
  }

  // The job's worker was killed: the supervisor returned the job at once, and a worker took it again.
  const history = await api.call(routes.getJob, { params: { id: running.id } });
  const returned = history.transitions.find((t) => t.from === "running" && t.to === "queued");
  // The supervisor reports the kill, or the server saw the process gone first: either way returned at once.
  expect(returned?.reason).toMatch(/its process killed by SIGKILL|its process \(pid \d+\) is gone/);
  expect(history.job.attempt).toBeGreaterThanOrEqual(2);

  const audit = (await cli(repo, ["audit", "export"])).stdout.trim().split("\n").map((l) => JSON.parse(l));
  const crashes = audit.filter((e) => e.action === "component.crashed");
  expect(crashes.map((e) => e.subject).sort()).toEqual(["remote-agent", "review-agent", "scm", "server", "worker-1", "worker-2"]);
  expect(crashes.every((e) => e.data.failureClass === "environment")).toBe(true);
  expect((await cli(repo, ["audit", "verify"])).exitCode).toBe(0);
}), lane.queuedTimeout(90_000));

test.concurrent("after kill -9 of the whole runtime, start recovers without manual cleanup and finishes the work", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  await rt.startDetached(repo, 1);
  const api = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  const data = await api.call(routes.enqueueJob, { body: { kind: "noop", input: { sleepMs: 1_500 } } });
  await waitFor("the job to run", async () => (await api.call(routes.getJob, { params: { id: data.job.id } })).job.state === "running");
  const status = await snapshot(repo);
  const supervisor = readSupervisorInfo(repo.paths.supervisorFile)!.pid;
  for (const pid of [supervisor, ...status.components.map((c) => c.pid!)]) process.kill(pid, "SIGKILL");
  await waitFor("everything to die", async () => [supervisor, ...status.components.map((c) => c.pid!)].every((p) => !isProcessAlive(p)));

  const restart = await rt.startDetached(repo, 1);
  expect(restart.stdout).toMatch(/all systems online/);
  const final = await waitFor("the interrupted job to finish", async () => {
    const j = await api.call(routes.getJob, { params: { id: data.job.id } });
    return j.job.state === "succeeded" ? j.job : null;
  }, 60_000);
  expect(final.attempt).toBe(2);
}), lane.queuedTimeout(90_000));

test.concurrent("two repositories run side by side without interfering", () => lane(async () => {
  await using rt = new Runtimes();
  const [a, b] = [await rt.newRepo(), await rt.newRepo()];
  await Promise.all([rt.startDetached(a, 1), rt.startDetached(b, 1)]);
  const urlA = JSON.parse((await cli(a, ["status", "--json"])).stdout).url;
  const urlB = JSON.parse((await cli(b, ["status", "--json"])).stdout).url;
  expect(urlA).not.toBe(urlB);
  const checked = await cli(a, ["check", "--wait"]);
  expect(checked.exitCode).toBe(0);
  expect(JSON.parse((await cli(b, ["jobs", "--json"])).stdout).jobs).toEqual([]);
  expect((await cli(a, ["stop"])).exitCode).toBe(0);
  expect(JSON.parse((await cli(b, ["status", "--json"])).stdout).online).toBe(true);
}), lane.queuedTimeout(60_000));

test.concurrent("a component that keeps crashing is reported failed and not restarted forever", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  await rt.startDetached(repo, 1);
  let last = component(await snapshot(repo), "scm")!;
  for (let crash = 1; crash <= 5; crash++) {
    process.kill(last.pid!, "SIGKILL");
    if (crash === 5) break;
    last = await waitFor(`scm restart ${crash}`, async () => {
      const c = component(await snapshot(repo), "scm");
      return c && c.state === "ready" && c.pid !== last.pid ? c : null;
    });
    rt.pids.add(last.pid!);
  }
  const failed = await waitFor("scm to be given up on", async () => {
    const c = component(await snapshot(repo), "scm");
    return c?.state === "failed" ? c : null;
  });
  expect(failed.lastExit).toBe("signal SIGKILL");
  const status = JSON.parse((await cli(repo, ["status", "--json"])).stdout);
  expect(status.supervisor.state).toBe("degraded");
  expect((await cli(repo, ["status"])).stdout).toMatch(/scm\s+scm\s+\d+\s+failed/);
}), lane.queuedTimeout(60_000));

test.concurrent("start --clean after a crash mess cancels the stale queue and keeps the audit log and job history", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  await rt.startDetached(repo, 1);
  const api = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  const jobs: Job[] = [];
  for (let i = 0; i < 3; i++) jobs.push((await api.call(routes.enqueueJob, { body: { kind: "noop", input: { sleepMs: 60_000 } } })).job);
  await waitFor("a job to run", async () => (await api.call(routes.getJob, { params: { id: jobs[0]!.id } })).job.state === "running");
  const status = await snapshot(repo);
  const everything = [readSupervisorInfo(repo.paths.supervisorFile)!.pid, ...status.components.map((c) => c.pid!)];
  for (const pid of everything) process.kill(pid, "SIGKILL");
  await waitFor("everything to die", async () => everything.every((p) => !isProcessAlive(p)));

  const r = await cli(repo, ["start", "--clean", "--detach", "--workers", "1"]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/clean: cancelled 3 active jobs/);
  expect(r.stdout).toMatch(/kept audit log: \d+ entries \(chain verified\)/);
  expect(r.stdout).toMatch(/kept job history: 3 jobs/);
  expect(r.stdout).toContain("all systems online");
  for (const c of (await snapshot(repo)).components) rt.pids.add(c.pid!);
  for (const job of jobs) {
    const data = await api.call(routes.getJob, { params: { id: job.id } });
    expect(data.job.state).toBe("cancelled");
    expect(data.transitions.at(-1)!.reason).toMatch(/start --clean/);
  }
  expect((await cli(repo, ["audit", "verify"])).exitCode).toBe(0);
}), lane.queuedTimeout(60_000));

test.concurrent("foreground start: Ctrl-C (SIGINT) stops every component cleanly and frees the runtime", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  const { spawnPushpals } = await import("./helpers/cluster.ts");
  const fg = spawnPushpals(["start", "--workers", "1"], repo.root);
  rt.pids.add(fg.proc.pid);
  await fg.waitForOutput(/all systems online at http:\/\/127\.0\.0\.1:\d+/);
  const running = (await snapshot(repo)).components.map((c) => c.pid!);
  running.forEach((p) => rt.pids.add(p));
  fg.proc.kill("SIGINT");
  expect(await fg.proc.exited).toBe(0);
  expect(fg.output()).toMatch(/stopped \(received SIGINT\)/);
  for (const pid of running) expect(isProcessAlive(pid)).toBe(false);
  expect(existsSync(repo.paths.supervisorFile)).toBe(false);
  expect(existsSync(repo.paths.serverFile)).toBe(false);
  // Nothing is left holding the port or the locks: a new start works at once.
  await rt.startDetached(repo, 1);
}), lane.queuedTimeout(60_000));

test.concurrent("check --wait exits 1 and shows the failing command; ask records a blocked directive; output has no colour off a terminal", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await makeRepo({ configToml: '[[checks.commands]]\nname = "unit"\nrun = "echo 2 tests failed; exit 4"\n' });
  rt.adopt(repo);
  await rt.startDetached(repo, 1);
  const check = await cli(repo, ["check", "--wait"]);
  expect(check.exitCode).toBe(1);
  expect(check.stdout).toMatch(/failure\s+checks_failed: unit failed: `echo 2 tests failed; exit 4` exited 4/);
  expect(check.stdout).toContain("2 tests failed");

  const ask = await cli(repo, ["ask", "make the login test stop flaking", "--risk", "low", "--scope", "src/auth/**", "--done", "50 green runs", "--json"]);
  expect(ask.exitCode).toBe(0);
  const directive = JSON.parse(ask.stdout).job as Job;
  expect(directive).toMatchObject({ kind: "directive", state: "blocked", input: { goal: "make the login test stop flaking", risk: "low", scope: ["src/auth/**"], done: "50 green runs" } });
  expect(directive.blockedReason).toMatch(/no worker can act on directives yet/);
  const status = await cli(repo, ["status"]);
  expect(status.stdout).toContain(`stuck ${directive.id} (directive, blocked)`);
  expect(JSON.parse((await cli(repo, ["jobs", "--state", "blocked", "--json"])).stdout).jobs.map((j: Job) => j.id)).toEqual([directive.id]);
  for (const out of [check.stdout, status.stdout, (await cli(repo, ["doctor"])).stdout]) expect(out).not.toContain("\x1b[");
}), lane.queuedTimeout(60_000));

test.concurrent("Ctrl-C to the terminal's whole process group: workers return their jobs (no attempt spent), nothing is left", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  // Its own process group, like a shell job: the signal goes to every process in the group.
  const fg = Bun.spawn([PUSHPALS_BIN, "start", "--workers", "1"], { cwd: repo.root, stdout: "pipe", stderr: "pipe", detached: true });
  rt.pids.add(fg.pid);
  const reader = (async () => {
    let text = "";
    for await (const chunk of fg.stdout) {
      text += new TextDecoder().decode(chunk);
      if (text.includes("all systems online")) return text;
    }
    return text;
  })();
  expect(await reader).toContain("all systems online");
  const api = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  const data = await api.call(routes.enqueueJob, { body: { kind: "noop", input: { sleepMs: 60_000 } } });
  await waitFor("the job to run", async () => (await api.call(routes.getJob, { params: { id: data.job.id } })).job.state === "running");
  const running = (await snapshot(repo)).components.map((c) => c.pid!);
  process.kill(-fg.pid, "SIGINT");
  expect(await fg.exited).toBe(0);
  for (const pid of running) expect(isProcessAlive(pid)).toBe(false);
  await rt.startDetached(repo, 1);
  const after = await api.call(routes.getJob, { params: { id: data.job.id } });
  expect(after.transitions.some((t) => t.from === "running" && t.to === "queued" && /returned to the queue: worker stopping/.test(t.reason))).toBe(true);
  expect(after.transitions.filter((t) => t.to === "running").at(-1)?.attempt ?? 1).toBe(1);
}), lane.queuedTimeout(60_000));

test.concurrent("kill -9 of the supervisor: its children stop by themselves; a stale pid file never makes start or stop touch another process", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  await rt.startDetached(repo, 1);
  const components = (await snapshot(repo)).components.map((c) => c.pid!);
  const supervisor = readSupervisorInfo(repo.paths.supervisorFile)!.pid;
  process.kill(supervisor, "SIGKILL");
  await waitFor("the orphaned components to stop", async () => components.every((p) => !isProcessAlive(p)), 20_000);

  // supervisor.json now names a dead pid; point it at an unrelated live process instead.
  const bystander = Bun.spawn(["sleep", "30"]);
  rt.pids.add(bystander.pid);
  const stale = JSON.parse(await Bun.file(repo.paths.supervisorFile).text());
  await Bun.write(repo.paths.supervisorFile, JSON.stringify({ ...stale, pid: bystander.pid }));
  expect((await cli(repo, ["stop"])).stdout).toContain("not running");
  expect(isProcessAlive(bystander.pid)).toBe(true);
  const started = await rt.startDetached(repo, 1);
  expect(started.stdout).toMatch(/PP008 recovered from a crashed earlier run/);
  expect((await cli(repo, ["stop"])).exitCode).toBe(0);
  expect(isProcessAlive(bystander.pid)).toBe(true);
  bystander.kill();
}), lane.queuedTimeout(60_000));

test.concurrent("a start that fails (database from a newer PushPals) exits with the reason instead of hanging; a stale server.json never sends requests to a stranger", () => lane(async () => {
  await using rt = new Runtimes();
  const repo = await rt.newRepo();
  const { Database } = await import("bun:sqlite");
  const { mkdirSync } = await import("node:fs");
  mkdirSync(repo.paths.runtimeDir, { recursive: true });
  const db = new Database(repo.paths.dbPath, { create: true });
  db.exec("PRAGMA user_version = 99");
  db.close();
  const refused = await cli(repo, ["start", "--detach", "--workers", "1"]);
  expect(refused.exitCode).toBe(6);
  expect(refused.stderr).toMatch(/PP010 the database .* has schema version 99/);
  expect(existsSync(repo.paths.supervisorFile)).toBe(false);
  // Past preflight (the internal supervisor entry point), the failing server must still end the start.
  const supervised = await cli(repo, ["start", "--supervise", "--workers", "1"], 30_000);
  expect(supervised.exitCode).toBe(6);
  expect(supervised.stderr).toMatch(/server exited \(exit 6\) before it was ready[\s\S]*schema version 99/);

  // A stale server.json naming a port where some other HTTP server now answers.
  const stranger = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<html>not PushPals</html>", { status: 404 }) });
  await Bun.write(repo.paths.serverFile, JSON.stringify({ pid: process.pid, port: stranger.port, url: `http://127.0.0.1:${stranger.port}`, startedAt: 1, version: "0" }));
  let hits = 0;
  stranger.reload({ fetch: () => (hits++, new Response("<html>not PushPals</html>", { status: 404 })) });
  const status = await cli(repo, ["status"]);
  expect(status.exitCode).toBe(3);
  expect(status.stdout).toMatch(/not running/);
  expect((await cli(repo, ["jobs"])).exitCode).toBe(3);
  expect(hits).toBe(0);
  stranger.stop(true);
}), lane.queuedTimeout(60_000));
