/**
 * Issue #15: how fast a red base becomes work. On a temp copy of the bundled example (`start --detach
 * --workers 1`, not timed), each round commits a change that turns one check red and times:
 * - red commit -> its failing-build item filed (the RemoteAgent sees the branch move, queues the
 *   checks, a WorkerPal runs them, the item is written in the checks job's end), and how much of it
 *   the check's own run is;
 * - an item filed -> dispatched, for an item a specialist takes (a codemod on the backlog: the
 *   failing-build item's own specialist, the CI Medic, is issue #17).
 * Target: their sum under 2 s (median).
 * Run: bun bench/red-to-dispatch.ts [--runs=5]
 */
import { writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { runtimePathsFor } from "../src/runtime-dir/paths.ts";
import { exampleRepo, numArg, percentile, verdict } from "./bench-util.ts";

const TARGET_MS = 2_000;
const runs = Math.max(1, numArg("runs", 5));
const CONFIG = '[repo]\nbase_branch = "main"\n\n[workers]\ncount = 1\n\n[[checks.commands]]\nname = "flag"\nrun = "test ! -f RED"\n';

const { repo, pushpals, dispose } = await exampleRepo("red");
const git = (...args: string[]) => {
  const r = Bun.spawnSync(["git", "-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", ...args], { cwd: repo, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.toString().trim();
};
const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 0.5);

async function until<T>(what: string, poll: () => Promise<T | null | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await poll();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

try {
  writeFileSync(join(repo, ".pushpals/config.toml"), CONFIG);
  git("add", "-A");
  git("commit", "-qm", "bench: one check");
  const started = await pushpals(["start", "--detach"]);
  if (started.code !== 0) throw new Error(`start exited ${started.code}:\n${started.output}`);
  const gitDir = git("rev-parse", "--path-format=absolute", "--git-common-dir");
  const client = new ApiClient({ serverFile: runtimePathsFor(repo, gitDir).serverFile });
  const items = async () => (await client.call(routes.listWorkItems, { query: { all: "1" } })).items as WorkItem[];
  const redMs: number[] = [];
  const checkMs: number[] = [];
  const dispatchMs: number[] = [];
  for (let round = 0; round < runs; round++) {
    writeFileSync(join(repo, "RED"), `${round}\n`);
    git("add", "RED");
    const t0 = performance.now();
    git("commit", "-qm", `bench: red ${round}`);
    const head = git("rev-parse", "HEAD");
    const red = await until("the failing-build item", async () => (await items()).find((i) => i.source === "failing_build" && i.state === "open" && i.detail.lastRedCommit === head));
    redMs.push(performance.now() - t0);
    const job = (await client.call(routes.getJob, { params: { id: (red.detail.jobs as string[]).at(-1)! } })).job;
    const result = job.result as { checks?: { durationMs: number }[] } | null;
    checkMs.push((result?.checks ?? []).reduce((sum, c) => sum + c.durationMs, 0) || (job.failure?.evidence?.durationMs as number | undefined) || 0);

    const t1 = performance.now();
    const added = await client.call(routes.addBacklog, { body: { entry: { title: `bench codemod ${round}`, command: `echo ${round} >> src/bench.txt`, scope: ["src/bench.txt"] } } });
    await until("the dispatch", async () => ((await items()).find((i) => i.id === added.item.id)?.state !== "open" ? true : null));
    dispatchMs.push(performance.now() - t1);

    rmSync(join(repo, "RED"));
    git("commit", "-qam", `bench: green ${round}`);
    await until("the item resolved", async () => ((await items()).find((i) => i.id === red.id)?.state === "done" ? true : null));
  }
  const r = median(redMs);
  const d = median(dispatchMs);
  console.log(`red base commit -> failing-build item filed: median ${Math.round(r)} ms (the check's own run: median ${Math.round(median(checkMs))} ms) over ${runs} rounds`);
  console.log(`item filed -> dispatched (a codemod as the stand-in specialist): median ${Math.round(d)} ms`);
  verdict(r + d < TARGET_MS, `red base -> dispatched: ${Math.round(r + d)} ms (target < ${TARGET_MS} ms); red_check items themselves wait for the CI Medic (#17)`);
  await pushpals(["stop"]);
} catch (err) {
  // What the runtime was doing, to tell a slow round from a stuck one.
  console.error((await pushpals(["jobs"])).output);
  throw err;
} finally {
  await pushpals(["stop"]).catch(() => {});
  dispose();
}
