/**
 * Store layer only: enqueue N noop jobs, then claim + complete every one of them through JobService.
 * Durability is as shipped (WAL, synchronous=NORMAL, one committed transaction per operation).
 * Run: bun bench/store-throughput.ts [--jobs=20000]
 */
import { Bus } from "../src/events/bus.ts";
import type { PushpalsEvent } from "../src/events/registry.ts";
import { newId } from "../src/jobs/ids.ts";
import { JobService } from "../src/jobs/job-service.ts";
import { cpuMs, fmt, numArg, tempStore, verdict } from "./bench-util.ts";

const TARGET = 5_000; // claim+complete jobs/s
const jobs = numArg("jobs", 20_000);

const { store, dispose } = tempStore("store");
try {
  const service = new JobService(store, new Bus<PushpalsEvent>());
  const workerId = newId("wrk");
  service.registerWorker({ id: workerId, name: "bench", kinds: ["noop"], pid: process.pid });

  let t0 = performance.now();
  for (let i = 0; i < jobs; i++) service.enqueue({ kind: "noop", input: {}, actor: "bench" });
  const enqueueMs = performance.now() - t0;

  t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let done = 0;
  for (let claim = service.claim(workerId, ["noop"]); claim; claim = service.claim(workerId, ["noop"])) {
    service.complete({ jobId: claim.job.id, workerId, token: claim.token }, {});
    done++;
  }
  const cycleMs = performance.now() - t0;
  const cycleCpu = cpuMs(cpu0);

  const cycleRate = (done / cycleMs) * 1000;
  console.log(`store-throughput: ${fmt(jobs)} noop jobs, one transaction per operation`);
  console.log(`  enqueue          ${fmt((jobs / enqueueMs) * 1000).padStart(7)} jobs/s  (${fmt(enqueueMs)} ms)`);
  console.log(`  claim+complete   ${fmt(cycleRate).padStart(7)} jobs/s  (${fmt(cycleMs)} ms, ${fmt((cycleMs * 1000) / done)} µs/job)`);
  // Below 100 %, the loop spends the rest blocked in I/O (WAL checkpoints fsync), not computing.
  console.log(`  CPU busy         ${fmt((cycleCpu / cycleMs) * 100).padStart(7)} %       (of one core, during claim+complete)`);
  if (done !== jobs) console.log(`  WARNING: completed ${done} of ${jobs} jobs`);
  verdict(cycleRate >= TARGET && done === jobs, `store claim+complete ${fmt(cycleRate)} jobs/s (target >= ${fmt(TARGET)})`);
} finally {
  dispose();
}
