/**
 * Lean components (issue #14), in one run on a temp copy of the bundled example repository:
 * CLI wall times (`--version`, and `status` against a running runtime), start to online with 1 and 4
 * WorkerPals, each component's idle memory with 4 WorkerPals, and the server's and the WorkerPals'
 * memory before and after 1,000 `noop` jobs. Memory is read from /proc directly (Linux only).
 * RSS counts the pages every Bun process shares (the executable, ≈ 35 MiB) in each process, so the
 * verdicts judge PSS, which divides shared pages among their sharers; RSS is printed alongside.
 * Run: bun bench/footprint.ts [--runs=3] [--cli-runs=20] [--jobs=1000] [--rounds=3] [--settle-ms=2000]
 */
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import { readProcessMemory, totalMemory, type ProcessMemory } from "../src/components/process-memory.ts";
import { runtimePathsFor } from "../src/runtime-dir/paths.ts";
import { readSupervisorInfo } from "../src/runtime-dir/supervisor-file.ts";
import { exampleRepo, numArg, percentile, verdict, type CliRun } from "./bench-util.ts";

const TARGET_VERSION_MS = 50;
const TARGET_STATUS_MS = 100;
const TARGET_ONLINE_MS = 1_000;
const TARGET_WORKER_MIB = 35;
const TARGET_TOTAL_MIB = 300;
const TARGET_GROWTH = 0.1;
const WORKERS = 4;

const runs = Math.max(1, numArg("runs", 3));
const cliRuns = Math.max(1, numArg("cli-runs", 20));
const jobCount = Math.max(1, numArg("jobs", 1000));
const settleMs = numArg("settle-ms", 2000);
const rounds = Math.max(1, numArg("rounds", 3));
const example = await exampleRepo("footprint").catch((err: Error) => {
  verdict(false, `footprint: ${err.message}`);
  process.exit(0);
});
const { repo, pushpals } = example;
const paths = runtimePathsFor(repo, join(repo, ".git"));


/** Median wall time (ms) of a short command run `n` times, checking it succeeds. */
async function medianMs(label: string, args: string[], n: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await pushpals(args);
    if (r.code !== 0) throw new Error(`${label} exited ${r.code}:\n${r.output}`);
    times.push(r.ms);
  }
  times.sort((a, b) => a - b);
  console.log(`  ${label.padEnd(22)} median ${percentile(times, 0.5).toFixed(1)} ms  min ${times[0]!.toFixed(1)} ms  p90 ${percentile(times, 0.9).toFixed(1)} ms  (${n} runs)`);
  return percentile(times, 0.5);
}

async function start(workers: number): Promise<CliRun> {
  const r = await pushpals(["start", "--detach", "--workers", String(workers)]);
  if (r.code !== 0 || !/running in the background/.test(r.output)) throw new Error(`start --workers ${workers} exited ${r.code}:\n${r.output}`);
  return r;
}

async function stop(): Promise<void> {
  const r = await pushpals(["stop"]);
  if (r.code !== 0) throw new Error(`stop exited ${r.code}:\n${r.output}`);
}

const MIB = 1024 * 1024;
const mib = (bytes: number | null) => (bytes === null ? "?" : `${(bytes / MIB).toFixed(1)} MiB`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const pct = (before: number, after: number) => `${after >= before ? "+" : ""}${(((after - before) / before) * 100).toFixed(1)} %`;

interface Proc {
  name: string;
  pid: number;
}

/** The runtime's processes: every running component the server lists, and the supervisor. */
async function processes(client: ApiClient): Promise<Proc[]> {
  const { components } = await client.call(routes.listComponents);
  const list = components.filter((c) => c.pid !== null && c.state === "ready").map((c) => ({ name: c.name, pid: c.pid! }));
  list.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
  const supervisor = readSupervisorInfo(paths.supervisorFile);
  if (supervisor) list.push({ name: "supervisor", pid: supervisor.pid });
  return list;
}

function readAll(procs: Proc[]): Map<string, ProcessMemory | null> {
  return new Map(procs.map((p) => [p.name, readProcessMemory(p.pid)]));
}

const line = (name: string, m: ProcessMemory | null | undefined) =>
  `  ${name.padEnd(13)} ${m ? `pss ${mib(m.pssBytes).padStart(9)}  rss ${mib(m.rssBytes).padStart(9)}  private ${mib(m.privateBytes).padStart(9)}` : "unreadable"}`;

try {
  if (readProcessMemory(process.pid) === null) console.log("(no /proc on this machine: the memory figures below are unreadable)");

  console.log(`footprint: a temp copy of examples/sample-repo; ${runs} start runs per worker count, ${cliRuns} runs per CLI command`);
  console.log("CLI wall time:");
  const bare: number[] = [];
  for (let i = 0; i < cliRuns; i++) {
    const t0 = performance.now();
    Bun.spawnSync([process.execPath, "-e", ""], { stdout: "ignore", stderr: "ignore" });
    bare.push(performance.now() - t0);
  }
  console.log(`  ${"bun -e '' (baseline)".padEnd(22)} median ${percentile(bare.sort((a, b) => a - b), 0.5).toFixed(1)} ms`);
  const versionMs = await medianMs("pushpals --version", ["--version"], cliRuns);

  console.log("start to online (`pushpals start --detach --workers N`; stop not timed):");
  const online = new Map<number, number>();
  for (const workers of [1, WORKERS]) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push((await start(workers)).ms);
      // The last run with 4 WorkerPals stays up for the measurements below.
      if (workers === WORKERS && i === runs - 1) break;
      await stop();
    }
    const sorted = [...times].sort((a, b) => a - b);
    online.set(workers, percentile(sorted, 0.5));
    console.log(`  ${workers} WorkerPal${workers === 1 ? " " : "s"}  median ${seconds(percentile(sorted, 0.5))}  min ${seconds(sorted[0]!)}  max ${seconds(sorted.at(-1)!)}   runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")}`);
  }

  const client = new ApiClient({ serverFile: paths.serverFile, serverLock: paths.serverLock });
  const procs = await processes(client);
  await Bun.sleep(settleMs);
  const idle = readAll(procs);
  console.log(`idle memory with ${WORKERS} WorkerPals, ${settleMs} ms after online (/proc/<pid>/smaps_rollup):`);
  for (const p of procs) console.log(line(p.name, idle.get(p.name)));
  const total = totalMemory([...idle.values()]);
  console.log(`  ${"total".padEnd(13)} pss ${mib(total?.pssBytes ?? null).padStart(9)}  rss ${mib(total?.rssBytes ?? null).padStart(9)}  over ${total?.processes ?? 0} processes (RSS counts the shared Bun executable once per process)`);

  console.log("CLI wall time against the running runtime:");
  const statusMs = await medianMs("pushpals status", ["status"], cliRuns);

  // Before the jobs: after the status runs (they allocate in the server too) and a settle.
  const tracked = procs.filter((p) => p.name === "server" || p.name.startsWith("worker-"));
  await Bun.sleep(settleMs);
  const before = readAll(tracked);
  // Several rounds of the same jobs: the first shows growth from idle (code compiled on first use,
  // SQLite's page cache, heaps reaching their working size), the later ones whether it keeps growing.
  const afterRounds: Map<string, ProcessMemory | null>[] = [];
  for (let round = 1; round <= rounds; round++) {
    const doneBefore = await finishedCount(client);
    const t0 = performance.now();
    for (let i = 0; i < jobCount; i += 50) {
      const batch = Array.from({ length: Math.min(50, jobCount - i) }, () => client.call(routes.enqueueJob, { body: { kind: "noop", input: {} } }));
      await Promise.all(batch);
    }
    const enqueuedMs = performance.now() - t0;
    const deadline = Date.now() + 5 * 60_000;
    let finished = 0;
    while ((finished = (await finishedCount(client)) - doneBefore) < jobCount) {
      if (Date.now() > deadline) throw new Error(`only ${finished} of ${jobCount} noop jobs finished in 5 minutes`);
      await Bun.sleep(100);
    }
    const doneMs = performance.now() - t0;
    const { counts } = await client.call(routes.status);
    console.log(
      `round ${round}: ${jobCount} noop jobs enqueued in ${seconds(enqueuedMs)}, all finished after ${seconds(doneMs)} (${Math.round(jobCount / (doneMs / 1000))} jobs/s); ` +
        `${counts.succeeded ?? 0} succeeded, ${counts.failed ?? 0} failed in total`,
    );
    await Bun.sleep(settleMs);
    afterRounds.push(readAll(tracked));
  }
  const after = afterRounds[0]!;
  const last = afterRounds.at(-1)!;
  const previous = afterRounds.at(-2) ?? before;
  const size = (m: ProcessMemory | null | undefined) => (m ? (m.pssBytes ?? m.rssBytes) : null);
  console.log(`memory (PSS) before the jobs and after each round of ${jobCount} (${settleMs} ms after each):`);
  for (const p of tracked) {
    const series = [before, ...afterRounds].map((m) => size(m.get(p.name)));
    const shown = series.map((v) => (v === null ? "unreadable" : mib(v))).join(" -> ");
    const [b, a] = series;
    const first = b != null && a != null ? `   first round ${pct(b, a)}` : "";
    const lp = size(previous.get(p.name));
    const ll = size(last.get(p.name));
    const steady = rounds > 1 && lp !== null && ll !== null ? `, last round ${pct(lp, ll)}` : "";
    console.log(`  ${p.name.padEnd(13)} ${shown}${first}${steady}`);
  }
  await stop();

  verdict(versionMs < TARGET_VERSION_MS, `pushpals --version: median ${versionMs.toFixed(1)} ms (target < ${TARGET_VERSION_MS} ms, absolute wall time)`);
  verdict(statusMs < TARGET_STATUS_MS, `pushpals status: median ${statusMs.toFixed(1)} ms against ${WORKERS} WorkerPals (target < ${TARGET_STATUS_MS} ms)`);
  const onlineMs = online.get(WORKERS)!;
  verdict(onlineMs < TARGET_ONLINE_MS, `start to online with ${WORKERS} WorkerPals: median ${seconds(onlineMs)} (target < ${seconds(TARGET_ONLINE_MS)})`);
  const workerPss = procs.filter((p) => p.name.startsWith("worker-")).map((p) => idle.get(p.name)?.pssBytes ?? null);
  if (workerPss.length === 0 || workerPss.includes(null)) verdict(false, "idle WorkerPal memory: PSS unreadable");
  else {
    const worst = Math.max(...(workerPss as number[]));
    verdict(worst < TARGET_WORKER_MIB * MIB, `idle WorkerPal, judged on PSS: largest of ${workerPss.length} ${mib(worst)} (target < ${TARGET_WORKER_MIB} MiB each)`);
  }
  if (!total || total.pssBytes === null) verdict(false, "idle runtime memory: PSS unreadable");
  else verdict(total.pssBytes < TARGET_TOTAL_MIB * MIB, `idle runtime with ${WORKERS} WorkerPals, judged on the sum of PSS over ${total.processes} processes: ${mib(total.pssBytes)} (target < ${TARGET_TOTAL_MIB} MiB; RSS sum ${mib(total.rssBytes)})`);
  for (const name of ["server", "worker-1"]) {
    const b = before.get(name)?.pssBytes ?? null;
    const a = after.get(name)?.pssBytes ?? null;
    if (b === null || a === null) verdict(false, `${name} growth across ${jobCount} jobs: PSS unreadable`);
    else verdict((a - b) / b < TARGET_GROWTH, `${name} growth across the first ${jobCount} noop jobs (from idle), judged on PSS: ${pct(b, a)} (target < ${TARGET_GROWTH * 100} %)`);
    const lp = previous.get(name)?.pssBytes ?? null;
    const ll = last.get(name)?.pssBytes ?? null;
    if (rounds > 1 && lp !== null && ll !== null) verdict((ll - lp) / lp < TARGET_GROWTH, `${name} growth across the last ${jobCount} of ${rounds * jobCount} noop jobs, judged on PSS: ${pct(lp, ll)} (target < ${TARGET_GROWTH * 100} %)`);
  }
} catch (err) {
  verdict(false, `footprint: ${(err as Error).message}`);
} finally {
  // Also after a failed start, which may have left part of a runtime behind.
  await pushpals(["stop"]);
  example.dispose();
}

async function finishedCount(client: ApiClient): Promise<number> {
  const { counts } = await client.call(routes.status);
  return (counts.succeeded ?? 0) + (counts.failed ?? 0) + (counts.cancelled ?? 0);
}
