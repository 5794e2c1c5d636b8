/**
 * Through HTTP: the server (this process) serves a pre-filled queue of noop jobs; 4 workers in a
 * second process loop POST /workers/:id/claim then POST /jobs/:id/complete until the queue is empty.
 * Twice in one run: first as before identity (plain loopback TCP, every request taken as a trusted
 * worker, nothing checked), then as PushPals serves it (the owner's Unix socket, the caller's uid from
 * SO_PEERCRED on each connection, a component credential checked on every call, the route's access rule).
 * Run: bun bench/api-throughput.ts [--jobs=5000] [--workers=4]
 */
import { routes } from "../src/api/routes.ts";
import { newId } from "../src/core/ids.ts";
import { startApp, type RunningApp } from "../src/server/app.ts";
import type { Caller } from "../src/server/caller.ts";
import { appOptions, arg, cpuMs, fmt, lines, numArg, spawnSelf, tempStore, verdict } from "./bench-util.ts";

const TARGET = 1_000; // jobs/s with 4 workers, with identity checks
const TIMEOUT_MS = 120_000;
const CREDENTIAL_HEADER = "x-pushpals-credential";

interface WorkersResult {
  done: number;
  errors: number;
  ms: number;
  cpuMs: number;
}

interface Phase {
  label: string;
  rate: number;
  serverUsPerJob: number;
  result: WorkersResult;
}

if (arg("role", "server") === "workers") await runWorkers(arg("url", ""), arg("socket", ""), numArg("workers", 4));
else await runServer(numArg("jobs", 5_000), numArg("workers", 4));

async function runServer(jobs: number, workers: number): Promise<void> {
  const { store, dir, dispose } = tempStore("api");
  const app = await startApp(store, appOptions(dir));
  // The figure before identity: loopback TCP, every caller trusted as a worker (what the server did before).
  const trusted: Caller = { listener: "owner", peer: null, person: "os:bench", owner: true, component: { role: "worker", name: "bench" } };
  const plain: ReturnType<typeof Bun.serve> = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => app.handle(req, trusted, [`127.0.0.1:${plain.port}`]) });
  try {
    const before = await phase(app, store, jobs, workers, "TCP, no identity", [`--url=http://127.0.0.1:${plain.port}`]);
    const after = await phase(app, store, jobs, workers, "socket + identity", [`--socket=${app.socket}`]);
    if (!before || !after) return;
    console.log(`api-throughput: ${fmt(jobs)} noop jobs per run, ${workers} workers in a separate process, claim + complete over HTTP`);
    for (const p of [before, after]) {
      console.log(`  ${p.label.padEnd(18)} ${fmt(p.rate).padStart(7)} jobs/s  (${fmt(p.result.done)} jobs in ${fmt(p.result.ms)} ms, ${p.result.errors} errors; server ${fmt(p.serverUsPerJob)} µs/job, workers CPU ${fmt((p.result.cpuMs / p.result.ms) * 100)} %)`);
    }
    console.log(`  identity costs     ${fmt((1 - after.rate / before.rate) * 100)} % of the throughput`);
    verdict(after.rate >= TARGET && after.result.done === jobs && after.result.errors === 0, `api claim+complete with identity ${fmt(after.rate)} jobs/s with ${workers} workers (target >= ${fmt(TARGET)}; ${fmt(before.rate)} without)`);
  } finally {
    await plain.stop(true);
    await app.stop();
    dispose();
  }
}

async function phase(app: RunningApp, store: ReturnType<typeof tempStore>["store"], jobs: number, workers: number, label: string, target: string[]): Promise<Phase | null> {
  for (let i = 0; i < jobs; i++) app.service.enqueue({ kind: "noop", input: {}, actor: "bench" });
  const child = spawnSelf(["--role=workers", ...target, `--workers=${workers}`], TIMEOUT_MS);
  let cpu0 = process.cpuUsage();
  let result: WorkersResult | null = null;
  for await (const line of lines(child.stdout)) {
    if (line === "start") cpu0 = process.cpuUsage(); // workers registered; the timed loop begins
    else if (line.startsWith("{")) result = JSON.parse(line) as WorkersResult;
  }
  const serverCpu = cpuMs(cpu0);
  await child.exited;
  if (!result) {
    verdict(false, `api throughput (${label}): the worker process reported nothing (exit ${child.exitCode})`);
    return null;
  }
  const left = store.countJobsByState().queued ?? 0;
  if (left) console.log(`  ${label}: ${left} jobs left queued`);
  return { label, rate: (result.done / result.ms) * 1000, serverUsPerJob: (serverCpu * 1000) / Math.max(1, result.done), result };
}

async function runWorkers(url: string, socket: string, count: number): Promise<void> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const base = socket ? "http://localhost" : url;
  const post = (path: string, body: unknown) => fetch(`${base}${path}`, { method: "POST", headers, body: JSON.stringify(body), ...(socket ? { unix: socket } : {}) });
  if (socket) {
    // As `pushpals worker` run by hand does: the server issues a credential to its own OS user.
    const res = await post(routes.issueCredential.path, { role: "worker", name: "bench" });
    if (!res.ok) throw new Error(`credential refused: HTTP ${res.status} ${await res.text()}`);
    headers[CREDENTIAL_HEADER] = ((await res.json()) as { credential: string }).credential;
  }
  const ids = Array.from({ length: count }, () => newId("wrk"));
  for (const [i, id] of ids.entries()) {
    const res = await post("/workers", { id, name: `bench-${i}`, kinds: ["noop"], pid: process.pid });
    if (!res.ok) throw new Error(`register failed: HTTP ${res.status} ${await res.text()}`);
  }
  let done = 0;
  let errors = 0;
  const loop = async (workerId: string) => {
    for (;;) {
      const claimed = await post(`/workers/${workerId}/claim`, { kinds: ["noop"], waitMs: 0 });
      if (claimed.status === 204) return;
      if (!claimed.ok) throw new Error(`claim failed: HTTP ${claimed.status} ${await claimed.text()}`);
      const { job, token } = (await claimed.json()) as { job: { id: string }; token: number };
      const completed = await post(`/jobs/${job.id}/complete`, { workerId, token, result: null });
      await completed.arrayBuffer();
      if (completed.ok) done++;
      else errors++;
    }
  };
  console.log("start");
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(ids.map(loop));
  const result: WorkersResult = { done, errors, ms: performance.now() - t0, cpuMs: cpuMs(cpu0) };
  console.log(JSON.stringify(result));
}
