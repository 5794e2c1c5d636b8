/**
 * Time to online: wall time of `pushpals start --detach --workers N` (the command returns once the
 * server, the agents and all N WorkerPals are ready), on a temp copy of the bundled example repository.
 * `pushpals init` runs once beforehand; `pushpals stop` after every run is not timed.
 * Run: bun bench/start-online.ts [--runs=5] [--workers=1,4]
 */
import { arg, exampleRepo, numArg, percentile, verdict } from "./bench-util.ts";

const TARGET_MS = 2_000;
const TARGET_WORKERS = 4;

const runs = Math.max(1, numArg("runs", 5));
const workerCounts = arg("workers", `1,${TARGET_WORKERS}`).split(",").map(Number);
const example = await exampleRepo("start-online").catch((err: Error) => {
  verdict(false, `start-online: ${err.message}`);
  process.exit(0);
});
const { pushpals } = example;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  console.log(`start-online: \`pushpals start --detach --workers N\` until it returns online, ${runs} runs each (stop not timed)`);
  const medians = new Map<number, number>();
  for (const workers of workerCounts) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = await pushpals(["start", "--detach", "--workers", String(workers)]);
      const stop = await pushpals(["stop"]);
      if (start.code !== 0 || !/running in the background/.test(start.output)) {
        throw new Error(`run ${i + 1} with ${workers} workers: start exited ${start.code}:\n${start.output}`);
      }
      if (stop.code !== 0) throw new Error(`run ${i + 1} with ${workers} workers: stop exited ${stop.code}:\n${stop.output}`);
      times.push(start.ms);
    }
    const sorted = [...times].sort((a, b) => a - b);
    medians.set(workers, percentile(sorted, 0.5));
    console.log(
      `  ${String(workers).padStart(2)} worker${workers === 1 ? " " : "s"}  median ${seconds(percentile(sorted, 0.5))}  ` +
        `min ${seconds(sorted[0]!)}  max ${seconds(sorted.at(-1)!)}   runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")}`,
    );
  }
  const median = medians.get(TARGET_WORKERS);
  if (median === undefined) console.log(`(no run with ${TARGET_WORKERS} workers: no verdict)`);
  else verdict(median < TARGET_MS, `start to online with ${TARGET_WORKERS} workers: median ${seconds(median)} (target < ${seconds(TARGET_MS)})`);
} catch (err) {
  verdict(false, `start-online: ${(err as Error).message}`);
} finally {
  await pushpals(["stop"]);
  example.dispose();
}
