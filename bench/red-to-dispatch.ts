/**
 * Issue #15: how fast a red base becomes work in a specialist's hands. On a temp copy of the bundled
 * example (`start --detach --workers 1`, not timed), each round commits a change that turns one check
 * red and times red commit -> its failing-build item dispatched to the CI Medic (the RemoteAgent sees
 * the branch move through a file watch, queues the checks, a WorkerPal runs them, the item is filed in
 * the checks job's end, whose event turns the loop), and, of that, red commit -> item filed. Then it
 * waits for the triage verdict, drops the item and turns the base green for the next round.
 * Target: red commit -> dispatched under 2 s (median).
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
  // The first base check (of the start commit) ends before the rounds begin.
  await until("the first base check", async () => ((await client.call(routes.listJobs, { query: { kind: "checks" } })).jobs.some((j) => ["succeeded", "failed"].includes(j.state)) ? true : null));
  for (let round = 0; round < runs; round++) {
    writeFileSync(join(repo, "RED"), `${round}\n`);
    git("add", "RED");
    const t0 = performance.now();
    git("commit", "-qm", `bench: red ${round}`);
    const head = git("rev-parse", "HEAD");
    const mine = async () => (await items()).find((i) => i.source === "failing_build" && i.detail.lastRedCommit === head && i.state !== "dropped");
    const filed = await until("the failing-build item", mine);
    const filedAt = performance.now();
    const sent = await until("its dispatch", async () => {
      const item = await mine();
      return item && item.state !== "open" ? item : null;
    });
    dispatchMs.push(performance.now() - t0);
    redMs.push(filedAt - t0);
    const job = (await client.call(routes.getJob, { params: { id: (filed.detail.jobs as string[]).at(-1)! } })).job;
    checkMs.push(Number((job.failure?.evidence as { durationMs?: number } | undefined)?.durationMs ?? 0));
    const verdict = await until("the triage verdict", async () => {
      const item = await mine();
      return item?.state === "blocked" ? item : null;
    });
    if (round === 0) console.log(`  round 0 verdict: ${verdict.escalation}: ${verdict.question}`);
    await client.call(routes.dropWorkItem, { params: { id: sent.id }, body: { reason: "bench round over" } });
    rmSync(join(repo, "RED"));
    git("commit", "-qam", `bench: green ${round}`);
  }
  const d = median(dispatchMs);
  console.log(`red base commit -> failing-build item filed: median ${Math.round(median(redMs))} ms (the red check's own run: median ${Math.round(median(checkMs))} ms) over ${runs} rounds`);
  verdict(d < TARGET_MS, `red base commit -> item dispatched to the CI Medic: median ${Math.round(d)} ms (target < ${TARGET_MS} ms)`);
  await pushpals(["stop"]);
} catch (err) {
  // What the runtime was doing, to tell a slow round from a stuck one.
  console.error((await pushpals(["jobs"])).output);
  throw err;
} finally {
  await pushpals(["stop"]).catch(() => {});
  dispose();
}
