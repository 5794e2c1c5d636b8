/**
 * Through HTTP: the server (this process) serves a pre-filled queue of noop jobs; 4 workers in a
 * second process loop POST /workers/:id/claim then POST /jobs/:id/complete until the queue is empty.
 * Run: bun bench/api-throughput.ts [--jobs=5000] [--workers=4]
 */
import { newId } from "../src/core/ids.ts";
import { startApp } from "../src/server/app.ts";
import { APP_OPTIONS, arg, cpuMs, fmt, lines, numArg, spawnSelf, tempStore, verdict } from "./bench-util.ts";

const TARGET = 1_000; // jobs/s with 4 workers
const TIMEOUT_MS = 120_000;

interface WorkersResult {
  done: number;
  errors: number;
  ms: number;
  cpuMs: number;
}

if (arg("role", "server") === "workers") await runWorkers(arg("url", ""), numArg("workers", 4));
else await runServer(numArg("jobs", 5_000), numArg("workers", 4));

async function runServer(jobs: number, workers: number): Promise<void> {
  const { store, dispose } = tempStore("api");
  const app = startApp(store, APP_OPTIONS);
  try {
    for (let i = 0; i < jobs; i++) app.service.enqueue({ kind: "noop", input: {}, actor: "bench" });
    const child = spawnSelf(["--role=workers", `--url=${app.url}`, `--workers=${workers}`], TIMEOUT_MS);
    let cpu0 = process.cpuUsage();
    let result: WorkersResult | null = null;
    for await (const line of lines(child.stdout)) {
      if (line === "start") cpu0 = process.cpuUsage(); // workers registered; the timed loop begins
      else if (line.startsWith("{")) result = JSON.parse(line) as WorkersResult;
    }
    const serverCpu = cpuMs(cpu0);
    await child.exited;
    if (!result) return verdict(false, `api throughput: the worker process reported nothing (exit ${child.exitCode})`);

    const rate = (result.done / result.ms) * 1000;
    const left = store.countJobsByState().queued ?? 0;
    console.log(`api-throughput: ${fmt(jobs)} noop jobs, ${workers} workers in a separate process, claim + complete over HTTP`);
    console.log(`  throughput       ${fmt(rate).padStart(7)} jobs/s  (${fmt(result.done)} jobs in ${fmt(result.ms)} ms, ${result.errors} errors, ${left} left queued)`);
    console.log(`  server CPU       ${fmt((serverCpu / result.ms) * 100).padStart(7)} %       (${fmt((serverCpu * 1000) / Math.max(1, result.done))} µs/job)`);
    console.log(`  workers CPU      ${fmt((result.cpuMs / result.ms) * 100).padStart(7)} %       (one process, ${workers} loops)`);
    verdict(rate >= TARGET && result.done === jobs && result.errors === 0, `api claim+complete ${fmt(rate)} jobs/s with ${workers} workers (target >= ${fmt(TARGET)})`);
  } finally {
    await app.stop();
    dispose();
  }
}

async function runWorkers(url: string, count: number): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
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
