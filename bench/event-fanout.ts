/**
 * SSE fan-out latency: 10 clients in a second process stream GET /events while this process (the
 * server) enqueues noop jobs at a steady rate; each job emits job.created + job.transition. Latency
 * per client per event = receive time - the event's `at` (both Date.now on one machine).
 * Run: bun bench/event-fanout.ts [--clients=10] [--events=2000] [--rate=500]   (rate in jobs/s)
 */
import { readSse } from "../src/client/sse-reader.ts";
import type { PushpalsEvent } from "../src/events/registry.ts";
import { startApp } from "../src/server/app.ts";
import { appOptions, arg, fmt, lines, numArg, percentile, spawnSelf, tempStore, verdict } from "./bench-util.ts";

const TARGET_P99_MS = 50;
const EVENTS_PER_JOB = 2; // job.created + job.transition (null -> queued)
const TIMEOUT_MS = 120_000;

interface ClientsResult {
  latencies: number[];
  missing: number;
}

if (arg("role", "server") === "clients") await runClients(arg("url", ""), numArg("clients", 10), numArg("expect", 1), numArg("after", 0));
else await runServer(numArg("clients", 10), numArg("events", 2_000), Math.max(1, numArg("rate", 500)));

async function runServer(clients: number, events: number, rate: number): Promise<void> {
  const jobs = Math.ceil(events / EVENTS_PER_JOB);
  const expect = jobs * EVENTS_PER_JOB;
  const { store, dir, dispose } = tempStore("fanout");
  const app = await startApp(store, appOptions(dir));
  try {
    const args = ["--role=clients", `--url=${app.url}`, `--clients=${clients}`, `--expect=${expect}`, `--after=${store.lastEventSeq()}`];
    const child = spawnSelf(args, TIMEOUT_MS);
    const output = lines(child.stdout);
    for (let line = await output.next(); line.value !== "ready"; line = await output.next()) {
      if (line.done) return verdict(false, `event fan-out: the client process ended before connecting (exit ${await child.exited})`);
    }

    // Steady producer: every 5 ms, enqueue as many jobs as the schedule says are due.
    const t0 = performance.now();
    let enqueued = 0;
    while (enqueued < jobs) {
      const due = Math.min(jobs, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; enqueued < due; enqueued++) app.service.enqueue({ kind: "noop", input: {}, actor: "bench" });
      await Bun.sleep(5);
    }
    const produceMs = performance.now() - t0;

    let result: ClientsResult | null = null;
    for await (const line of output) if (line.startsWith("{")) result = JSON.parse(line) as ClientsResult;
    await child.exited;
    if (!result) return verdict(false, `event fan-out: the client process reported nothing (exit ${child.exitCode})`);

    const sorted = result.latencies.sort((a, b) => a - b);
    const p = (q: number) => `${percentile(sorted, q)} ms`;
    console.log(`event-fanout: ${clients} SSE clients in a separate process, ${fmt(expect)} events each (${fmt(jobs)} jobs at ${fmt((jobs / produceMs) * 1000)}/s)`);
    console.log(`  deliveries       ${fmt(sorted.length)} measured, ${fmt(result.missing)} missing`);
    console.log(`  latency          p50 ${p(0.5)}  p95 ${p(0.95)}  p99 ${p(0.99)}  max ${p(1)}`);
    const p99 = percentile(sorted, 0.99);
    verdict(p99 < TARGET_P99_MS && result.missing === 0, `event fan-out p99 ${p99} ms over ${clients} clients (target < ${TARGET_P99_MS} ms)`);
  } finally {
    await app.stop();
    dispose();
  }
}

async function runClients(url: string, clients: number, expect: number, after: number): Promise<void> {
  const stop = AbortSignal.timeout(TIMEOUT_MS - 10_000);
  const streams = await Promise.all(
    Array.from({ length: clients }, async () => {
      const res = await fetch(`${url}/events?after=${after}`, { signal: stop });
      if (!res.ok || !res.body) throw new Error(`GET /events: HTTP ${res.status}`);
      return res.body;
    }),
  );
  console.log("ready");
  const latencies: number[] = [];
  let missing = 0;
  await Promise.all(
    streams.map(async (body) => {
      let got = 0;
      try {
        for await (const message of readSse(body)) {
          const received = Date.now();
          const event = JSON.parse(message.data) as PushpalsEvent;
          latencies.push(received - event.at);
          if (++got === expect) break;
        }
      } catch {
        // timed out: counted as missing below
      }
      missing += expect - got;
    }),
  );
  console.log(JSON.stringify({ latencies, missing } satisfies ClientsResult));
}
