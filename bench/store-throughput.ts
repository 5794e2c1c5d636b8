/**
 * Store layer only: enqueue N noop jobs, then claim + complete every one of them through JobService,
 * twice: one transaction per operation, and with group commit as the server uses it (the claims and
 * completions of W concurrent workers share one commit; each operation is still atomic on its own,
 * and every transition, event and audit entry is committed before the caller hears back).
 * Durability is as shipped: WAL, synchronous=NORMAL.
 * Run: bun bench/store-throughput.ts [--jobs=20000] [--workers=8]
 */
import { Bus } from "../src/events/bus.ts";
import type { PushpalsEvent } from "../src/events/registry.ts";
import { newId } from "../src/core/ids.ts";
import { JobService, type Claim } from "../src/jobs/job-service.ts";
import { cpuMs, fmt, numArg, tempStore, verdict } from "./bench-util.ts";
import { parseJobInput } from "../src/kinds/registry.ts";

const TARGET = 5_000; // claim+complete jobs/s
const jobs = numArg("jobs", 20_000);
const workers = numArg("workers", 8);

interface Cycle {
  rate: number;
  ms: number;
  cpuBusy: number;
  done: number;
}

function measure(run: () => number): Cycle {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const done = run();
  const ms = performance.now() - t0;
  return { rate: (done / ms) * 1000, ms, cpuBusy: (cpuMs(cpu0) / ms) * 100, done };
}

const { store, dispose } = tempStore("store");
try {
  const service = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: parseJobInput });
  const ids = Array.from({ length: workers }, () => newId("wrk"));
  for (const id of ids) service.registerWorker({ id, name: "bench", kinds: ["noop"], pid: process.pid });
  const enqueueAll = () => {
    const t0 = performance.now();
    for (let i = 0; i < jobs; i++) service.enqueue({ kind: "noop", input: {}, actor: "bench" });
    return performance.now() - t0;
  };

  const enqueueMs = enqueueAll();
  const single = measure(() => {
    let done = 0;
    const workerId = ids[0]!;
    for (let claim = service.claim(workerId, ["noop"]); claim; claim = service.claim(workerId, ["noop"])) {
      service.complete({ jobId: claim.job.id, workerId, token: claim.token }, {});
      done++;
    }
    return done;
  });

  enqueueAll();
  const grouped = measure(() => {
    let done = 0;
    for (;;) {
      const claims = service
        .batch(ids.map((workerId) => () => service.claim(workerId, ["noop"])))
        .flatMap((r, i) => (r.ok && r.value ? [{ claim: r.value as Claim, workerId: ids[i]! }] : []));
      if (claims.length === 0) return done;
      const results = service.batch(claims.map(({ claim, workerId }) => () => service.complete({ jobId: claim.job.id, workerId, token: claim.token }, {})));
      done += results.filter((r) => r.ok).length;
    }
  });

  console.log(`store-throughput: ${fmt(jobs)} noop jobs per run`);
  console.log(`  enqueue                         ${fmt((jobs / enqueueMs) * 1000).padStart(7)} jobs/s  (one transaction each)`);
  const row = (label: string, c: Cycle) =>
    console.log(`  ${label.padEnd(31)} ${fmt(c.rate).padStart(7)} jobs/s  (${fmt((c.ms * 1000) / c.done)} µs/job, CPU busy ${fmt(c.cpuBusy)} %)`);
  row("claim+complete, 1 tx per op", single);
  row(`claim+complete, group commit x${workers}`, grouped);
  if (single.done !== jobs || grouped.done !== jobs) console.log(`  WARNING: completed ${single.done} / ${grouped.done} of ${jobs} jobs`);
  verdict(
    grouped.rate >= TARGET && grouped.done === jobs,
    `store claim+complete with group commit ${fmt(grouped.rate)} jobs/s (target >= ${fmt(TARGET)}); one tx per op: ${fmt(single.rate)} jobs/s`,
  );
} finally {
  dispose();
}
