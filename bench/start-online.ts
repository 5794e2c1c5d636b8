/**
 * Time to online: wall time of `pushpals start --detach --workers N` (the command returns once the
 * server, the agents and all N WorkerPals are ready), on a temp copy of the bundled example repository.
 * `pushpals init` runs once beforehand; `pushpals stop` after every run is not timed.
 * Run: bun bench/start-online.ts [--runs=5] [--workers=1,4]
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { arg, numArg, percentile, verdict } from "./bench-util.ts";

const TARGET_MS = 2_000;
const TARGET_WORKERS = 4;
const TIMEOUT_MS = 60_000;

const bin = resolve(import.meta.dir, "../bin/pushpals");
const runs = Math.max(1, numArg("runs", 5));
const workerCounts = arg("workers", `1,${TARGET_WORKERS}`).split(",").map(Number);
const repo = mkdtempSync(join(tmpdir(), "pushpals-bench-start-"));

interface Run {
  code: number | null;
  ms: number;
  output: string;
}

async function pushpals(args: string[]): Promise<Run> {
  const t0 = performance.now();
  const child = Bun.spawn([bin, ...args], { cwd: repo, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const ms = performance.now() - t0;
  clearTimeout(timer);
  return { code, ms, output: stdout + stderr };
}

function git(...args: string[]): void {
  const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd: repo, stdout: "ignore", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

try {
  cpSync(resolve(import.meta.dir, "../examples/sample-repo"), repo, {
    recursive: true,
    filter: (path) => !["node_modules", "dist"].includes(basename(path)),
  });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "example");
  const init = await pushpals(["init"]);
  if (init.code !== 0) throw new Error(`pushpals init exited ${init.code}:\n${init.output}`);

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
  rmSync(repo, { recursive: true, force: true });
}
