import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { routes } from "../api/routes.ts";
import { socketClient, startTestApp } from "../../test/helpers/app.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { RunningApp } from "./app.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;

beforeAll(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path);
  app.service.audit("server", "server.started", null, { pid: process.pid });
  const worker = socketClient(app, { role: "worker", name: "worker-1" });
  await worker.call(routes.registerWorker, { body: { id: "wrk_metrics01", name: "worker-1", kinds: ["noop"], pid: null } });
  const person = socketClient(app, null);
  const { job } = await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  const claim = (await worker.call(routes.claimJob, { params: { id: "wrk_metrics01" }, body: { kinds: ["noop"] } }))!;
  expect(claim.job.id).toBe(job.id);
  await worker.call(routes.completeJob, { params: { id: job.id }, body: { workerId: "wrk_metrics01", token: claim.token, result: null } });
  await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
});

afterAll(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

/** Checks the text exposition format 0.0.4: HELP and TYPE before a metric's samples, every sample well formed. */
function exposition(text: string): Map<string, string[]> {
  expect(text.endsWith("\n")).toBe(true);
  const typed = new Map<string, string>();
  const samples = new Map<string, string[]>();
  for (const line of text.split("\n").filter(Boolean)) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (comment) {
      if (comment[1] === "TYPE") typed.set(comment[2]!, comment[3]!);
      continue;
    }
    const sample = SAMPLE.exec(line);
    expect({ line, wellFormed: sample !== null }).toEqual({ line, wellFormed: true });
    const name = sample![1]!;
    expect({ name, type: typed.get(name) }).toEqual({ name, type: "gauge" });
    samples.set(name, [...(samples.get(name) ?? []), line]);
  }
  return samples;
}

test("GET /metrics on the read-only loopback listener: the Prometheus text format, every metric a gauge", async () => {
  const res = await fetch(`${app.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const samples = exposition(await res.text());
  for (const name of [
    "pushpals_online_runs",
    "pushpals_prs_merged",
    "pushpals_prs_opened",
    "pushpals_job_success_ratio",
    "pushpals_jobs_finished",
    "pushpals_jobs",
    "pushpals_jobs_started",
    "pushpals_queue_wait_median_seconds",
    "pushpals_stuck_job_ratio",
    "pushpals_retry_storm_ratio",
  ]) {
    expect({ name, present: samples.has(name) }).toEqual({ name, present: true });
  }
  // No PR yet: nothing to measure, so no sample (never a made-up 0).
  expect(samples.has("pushpals_install_to_first_pr_seconds")).toBe(false);
  expect(samples.get("pushpals_job_success_ratio")).toEqual(['pushpals_job_success_ratio{kind="noop"} 1']);
  expect(samples.get("pushpals_jobs")).toEqual(["pushpals_jobs 2"]);
  expect(samples.get("pushpals_jobs_started")).toEqual(["pushpals_jobs_started 1"]);
  // No process metrics, no default registry: only PushPals' own.
  expect([...samples.keys()].filter((n) => !n.startsWith("pushpals_"))).toEqual([]);
});

test("the same on the owner's socket, with a window; a malformed window is a 400 naming the field", async () => {
  const res = await fetch("http://localhost/metrics?since=1h", { unix: app.socket });
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  expect(exposition(await res.text()).get("pushpals_jobs")).toEqual(["pushpals_jobs 2"]);
  const bad = await fetch(`${app.url}/metrics?since=7days`);
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: { field: string } }).error.field).toBe("since");
});

test("GET /metrics/snapshot: the same numbers as JSON through the typed client, every reply checked", async () => {
  const client = socketClient(app, null);
  const m = await client.call(routes.metrics, { query: { since: "1d" } });
  expect(m.queue).toMatchObject({ jobs: 2, started: 1, stuck: 0, retryStorms: 0 });
  expect(m.jobs.byKind).toEqual([{ kind: "noop", finished: 1, succeeded: 1, clean: 1, rate: 1 }]);
  expect(m.since).toBe(m.generatedAt - 86_400_000);
  expect((await client.call(routes.metrics)).since).toBeNull();
});

test("the supervisor records its time to online; no other component may, and the TCP listener takes no writes", async () => {
  const supervisor = socketClient(app, { role: "supervisor", name: "supervisor" });
  const startedAt = Date.now() - 2_500;
  await supervisor.call(routes.supervisorOnline, { body: { startedAt, onlineAt: startedAt + 2_500, components: ["server", "worker-1"] } });
  const entry = store.auditOfActions(["supervisor.online"], 0, 10);
  expect(entry).toHaveLength(1);
  expect(entry[0]).toMatchObject({ actor: "supervisor", data: { startedAt, onlineAt: startedAt + 2_500, elapsedMs: 2_500, components: ["server", "worker-1"] } });
  const m = await socketClient(app, null).call(routes.metrics);
  expect(m.online).toEqual({ runs: 1, lastOnlineAt: startedAt + 2_500, lastSeconds: 2.5, medianSeconds: 2.5 });

  const worker = socketClient(app, { role: "worker", name: "worker-1" });
  const refused = await worker.call(routes.supervisorOnline, { body: { startedAt, onlineAt: startedAt, components: [] } }).catch((e: unknown) => e);
  expect(refused).toMatchObject({ code: "forbidden" });
  const tcp = await fetch(`${app.url}/supervisor/online`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ startedAt, onlineAt: startedAt, components: [] }) });
  expect(tcp.status).toBe(403);
  expect(store.auditOfActions(["supervisor.online"], 0, 10)).toHaveLength(1);
  const backwards = await supervisor.call(routes.supervisorOnline, { body: { startedAt, onlineAt: startedAt - 1, components: [] } }).catch((e: unknown) => e);
  expect(backwards).toMatchObject({ code: "invalid_input" });
});

test("a scrape that finds nothing recorded since the last one reuses its snapshot; a new event computes a fresh one", async () => {
  const person = socketClient(app, null);
  const first = await person.call(routes.metrics, { query: {} });
  const again = await person.call(routes.metrics, { query: {} });
  expect(again.generatedAt).toBe(first.generatedAt);
  await Bun.sleep(2);
  await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  const fresh = await person.call(routes.metrics, { query: {} });
  expect(fresh.generatedAt).toBeGreaterThan(first.generatedAt);
  expect(fresh.queue.jobs).toBe(first.queue.jobs + 1);
  // Another window is its own snapshot.
  expect((await person.call(routes.metrics, { query: { since: "1h" } })).since).not.toBeNull();
});
