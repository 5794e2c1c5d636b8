import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { parseQuarantine } from "../src/test-quarantine/parse-quarantine.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { startScriptedModel } from "./helpers/scripted-model.ts";

/**
 * Issue #17's CI Medic end to end, through the real components (server, RemoteAgent, a WorkerPal,
 * ReviewAgent, SourceControlManager as separate processes) on fixture repositories, no network: a red
 * check of the base branch is filed as a work item, the RemoteAgent dispatches the CI Medic, whose
 * triage decides the next step (quarantine, bisect and revert, the repository's fixer, or asking a
 * person), each ending in a PR that goes through review, the merge gate and the SourceControlManager.
 * Each repository gets its own runtime (one repository, one PushPals); the un-quarantine scenario goes on
 * with the quarantine scenario's runtime, so its entry is the real one a merged quarantine PR committed.
 */

const clusters = new Set<Cluster>();
afterAll(async () => {
  for (const c of clusters) await c.stop();
});

async function stop(c: Cluster): Promise<void> {
  clusters.delete(c);
  await c.stop();
}

/** The base branch's checks are asked for by `pushpals check` here, not by the RemoteAgent's own watch. */
const HEADER = '[repo]\nbase_branch = "main"\n\n[remote_agent]\ncheck_base = false\n';

function checkToml(check: { name: string; run: string; report?: string }): string {
  return `[[checks.commands]]\nname = ${JSON.stringify(check.name)}\nrun = ${JSON.stringify(check.run)}\n${check.report ? `report = ${JSON.stringify(check.report)}\n` : ""}`;
}

/** Every component, each its own process, each waited on by its readiness line. */
async function startAll(config: string, files: Record<string, string>): Promise<Cluster> {
  const c = await Cluster.create({ configToml: config, files });
  clusters.add(c);
  await c.startServer();
  await Promise.all([c.startWorker("w1"), c.startAgents(), c.startRemoteAgent()]);
  return c;
}

function git(c: Cluster, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: c.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** A person's commit on main, in their own checkout (first brought up to main, which merges moved under it). */
function commit(c: Cluster, message: string, files: Record<string, string>): string {
  git(c, ["reset", "-q", "--hard", "main"]);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(c.root, path), text);
  git(c, ["add", "-A"]);
  git(c, ["commit", "-q", "-m", message]);
  return git(c, ["rev-parse", "HEAD"]);
}

/** A CLI command, spawned (async, so the polling below keeps going). */
async function cli(c: Cluster, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([PUSHPALS_BIN, ...args], { cwd: c.root, stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

async function items(c: Cluster): Promise<WorkItem[]> {
  return (await c.client.call(routes.listWorkItems, { query: { all: "1" } })).items;
}

async function item(c: Cluster, predicate: (i: WorkItem) => boolean, what: string, timeoutMs?: number): Promise<WorkItem> {
  return waitFor(what, async () => (await items(c)).find(predicate), timeoutMs);
}

/** The PR a job opened, once the ReviewAgent reviewed its head. */
async function reviewedPr(c: Cluster, jobId: string): Promise<PullRequest> {
  return waitFor(`the PR of ${jobId}, reviewed`, async () => {
    const pr = (await c.client.call(routes.listPrs, { query: {} })).prs.find((p) => p.jobId === jobId);
    if (!pr) return null;
    const full = (await c.client.call(routes.getPr, { params: { number: pr.number } })).pr;
    return full.review?.headSha === full.headSha ? full : null;
  });
}

/** The item's PR, once its task opened one. */
async function prOfItem(c: Cluster, id: string, timeoutMs = 60_000): Promise<PullRequest> {
  const withPr = await item(c, (i) => i.id === id && typeof i.detail.pr === "number", `item ${id} to open a PR`, timeoutMs);
  return reviewedPr(c, String(withPr.detail.job));
}

// ---------------------------------------------------------------------------------------------------
// 1 and 5: flaky -> quarantine, then un-quarantine, on one repository.

/** One test that fails in the branch's checks (no PUSHPALS_TRIAGE_RUN) and on the triage's second rerun. */
const FLAKY_TEST = `const { test } = require("node:test");
const assert = require("node:assert");
test("adds", () => assert.equal(1 + 1, 2));
test("sometimes", () => {
  const run = process.env.PUSHPALS_TRIAGE_RUN;
  assert.ok(run !== undefined && run !== "2", "the pool was busy (run " + (run ?? "of the checks") + ")");
});
`;
const FIXED_TEST = FLAKY_TEST.replace(/assert\.ok\(run[^\n]*\n/, "assert.ok(true);\n");
const NODE_TEST = {
  name: "test",
  run: "node --test --test-reporter=spec --test-reporter-destination=stdout --test-reporter=junit --test-reporter-destination=$PUSHPALS_TEST_REPORT pool.test.js",
  report: ".git/pushpals-report-test.xml",
};

let flaky: { c: Cluster; testId: string } | null = null;

test("a flaky test is triaged and quarantined by a Medium PR a person approves; its failures are still recorded", async () => {
  const c = await startAll(`${HEADER}\n[checks]\nunquarantine_after_passes = 2\n\n${checkToml(NODE_TEST)}`, { "pool.test.js": FLAKY_TEST });
  const red = await cli(c, ["check", "--wait"]);
  expect(red.exitCode, red.stdout + red.stderr).toBe(1);
  const filed = await item(c, (i) => i.source === "failing_build", "the red check's item");
  expect(filed).toMatchObject({ type: "red_check", title: "test is red on main" });
  expect(filed.detail.failedTests).toHaveLength(1);
  const testId = String((filed.detail.failedTests as string[])[0]);
  expect(testId).toContain("sometimes");

  const pr = await prOfItem(c, filed.id);
  const medic = (await items(c)).find((i) => i.id === filed.id)!;
  const triageJob = (medic.detail.medic as { triage: { job: string } }).triage.job;
  expect((await c.job(triageJob)).job).toMatchObject({ kind: "triage", state: "succeeded", result: { verdict: "flaky" } });
  const job = (await c.job(String(medic.detail.job))).job;
  expect(job).toMatchObject({ kind: "quarantine", state: "succeeded" });
  expect(pr).toMatchObject({ risk: "medium", role: "ci_medic", scope: [".pushpals/quarantine.toml"], files: [{ path: ".pushpals/quarantine.toml", status: "added" }] });
  expect(pr.classification?.tier).toBe("medium");
  // The red run and three reruns of the red commit: it failed in the red run and the second rerun.
  const entries = parseQuarantine(git(c, ["show", `${pr.headSha}:.pushpals/quarantine.toml`])).entries;
  expect(entries).toEqual([expect.objectContaining({ id: testId, check: "test", runs: 4, failures: 2, commits: [String(filed.detail.lastRedCommit)], triage_job: triageJob, requested_by: "pushpals:ci-medic", approval: "pr" })]);
  expect(entries[0]!.score).toBeGreaterThan(0);
  expect(pr.body).toContain(triageJob);
  expect(pr.review?.decision).toBe("approve");

  // Not mergeable until a person approves: the gate says what is missing, and a merge is refused saying it.
  const gate = await c.client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate).toMatchObject({ ok: false, gates: { tier: "medium", autoMerge: false, requiredApprovals: 1 } });
  expect(gate.missing).toEqual([`1 more approval(s) of ${pr.headSha.slice(0, 12)} by someone other than server (pushpals approve ${pr.number})`]);
  const refused = await cli(c, ["pr", "merge", String(pr.number)]);
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stdout + refused.stderr).toContain(`pushpals approve ${pr.number}`);

  const approved = await cli(c, ["approve", String(pr.number), "--why", "the evidence holds"]);
  expect(approved.exitCode, approved.stderr).toBe(0);
  expect((await c.client.call(routes.prGate, { params: { number: pr.number }, query: {} })).ok).toBe(true);
  const merged = await cli(c, ["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await item(c, (i) => i.id === filed.id && i.state === "done", "the item to be done once its PR merged");

  // The new head's checks pass although the test still fails there: its failure is waived, and recorded.
  const green = await cli(c, ["check", "--wait"]);
  expect(green.exitCode, green.stdout + green.stderr).toBe(0);
  expect(green.stdout).toContain(`test: every failure is a quarantined test (.pushpals/quarantine.toml), so the check does not fail: ${testId}`);
  const listed = JSON.parse((await cli(c, ["flaky", "--json"])).stdout) as { tests: { id: string; quarantined: boolean; latestStatus: string }[] };
  expect(listed.tests.find((t) => t.id === testId)).toMatchObject({ quarantined: true, latestStatus: "failed" });
  flaky = { c, testId };
}, 90_000);

test("a quarantined test that passes unquarantine_after_passes runs in a row gets an un-quarantine PR", async () => {
  if (!flaky) throw new Error("needs the quarantine of the test before");
  const { c, testId } = flaky;
  commit(c, "fix the pool", { "pool.test.js": FIXED_TEST });
  for (let n = 0; n < 2; n++) {
    const pass = await cli(c, ["check", "--wait"]);
    expect(pass.exitCode, pass.stdout + pass.stderr).toBe(0);
  }
  // The server's sweep looks at most every 10 s.
  const filed = await item(c, (i) => i.type === "quarantined_test_passing", "the un-quarantine item", 30_000);
  expect(filed.detail).toMatchObject({ check: "test", testId, passes: 2 });
  const pr = await prOfItem(c, filed.id);
  expect(pr).toMatchObject({ risk: "medium", files: [{ path: ".pushpals/quarantine.toml" }] });
  expect(git(c, ["show", `${pr.headSha}:.pushpals/quarantine.toml`])).not.toContain(testId);
  expect(pr.title).toBe(`Un-quarantine ${testId}`);
  expect(pr.body).toContain(`| ${testId} | 2 | passed its last 2 runs`);
  expect(pr.review).toMatchObject({ decision: "approve", findings: [{ rule: "quarantine.removed", severity: "note" }] });
  const gate = await c.client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate).toMatchObject({ ok: false, gates: { tier: "medium", autoMerge: false, requiredApprovals: 1 } });
  expect((await cli(c, ["approve", String(pr.number)])).exitCode).toBe(0);
  const merged = await cli(c, ["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await item(c, (i) => i.id === filed.id && i.state === "done", "the un-quarantine item to be done once its PR merged");
  expect(git(c, ["show", "main:.pushpals/quarantine.toml"])).not.toContain(testId);
  await stop(c);
}, 60_000);

// ---------------------------------------------------------------------------------------------------
// 2: broken -> bisect -> revert.

const BUN_TEST = { name: "unit", run: "bun test --reporter=junit --reporter-outfile=$PUSHPALS_TEST_REPORT", report: ".git/pushpals-report-unit.xml" };
const LIB_TEST = `import { expect, test } from "bun:test";
const { add, twice } = require("./src/lib.js");
test("add", () => expect(add(2, 2)).toBe(4));
test("twice", () => expect(twice(3)).toBe(6));
`;

test("a broken test is bisected from the last green commit; the culprit's revert is a Medium PR with the steps, merged after approval", async () => {
  // A Bun repository (packageManager, bun.lock): PushPals provides its own Bun inside the sandbox, whatever the worker's
  // PATH holds. Its one dependency is a local folder, so the frozen install needs no registry.
  const manifest = `${JSON.stringify({ name: "bisect-me", private: true, packageManager: `bun@${Bun.version}`, devDependencies: { tool: "file:./tool" } })}\n`;
  const lockfile = `${JSON.stringify({ lockfileVersion: 2, configVersion: 1, workspaces: { "": { name: "bisect-me", devDependencies: { tool: "file:./tool" } } }, packages: { tool: ["tool@file:tool", {}] } }, null, 2)}\n`;
  const c = await startAll(`${HEADER}\n${checkToml(BUN_TEST)}`, { "package.json": manifest, "bun.lock": lockfile, "tool/package.json": '{"name":"tool","version":"1.0.0"}\n', ".gitignore": "node_modules/\n", "lib.test.js": LIB_TEST, "src/lib.js": "exports.add = (a, b) => a + b;\nexports.twice = (a) => 2 * a;\n", "notes.md": "notes\n" });
  const good = git(c, ["rev-parse", "HEAD"]);
  const green = await cli(c, ["check", "--wait"]);
  expect(green.exitCode, green.stdout + green.stderr).toBe(0);
  commit(c, "Note one", { "notes.md": "notes\none\n" });
  const culprit = commit(c, "Speed up add", { "src/lib.js": "exports.add = (a, b) => a + b + 1;\nexports.twice = (a) => 2 * a;\n" });
  commit(c, "Note two", { "notes.md": "notes\none\ntwo\n" });
  const head = commit(c, "Note three", { "notes.md": "notes\none\ntwo\nthree\n" });

  const red = await cli(c, ["check", "--wait"]);
  expect(red.exitCode, red.stdout + red.stderr).toBe(1);
  const filed = await item(c, (i) => i.source === "failing_build", "the red check's item");
  expect(filed.detail).toMatchObject({ check: "unit", lastGreenCommit: good, lastRedCommit: head });
  const pr = await prOfItem(c, filed.id);
  // Each step's job on the same item: triage (broken, every rerun), bisect (found), revert (the PR).
  const steps = (await c.client.call(routes.listJobs, { query: {} })).jobs.filter((j) => j.dedupeKey?.startsWith(`task:${filed.id}:`)).sort((a, b) => a.createdAt - b.createdAt);
  expect(steps.map((j) => [j.kind, j.state])).toEqual([["triage", "succeeded"], ["bisect", "succeeded"], ["revert", "succeeded"]]);
  expect(steps[0]!.result).toMatchObject({ verdict: "broken", passed: 0, failed: 3 });
  const medic = (await items(c)).find((i) => i.id === filed.id)!.detail.medic as { step: string; bisect: { jobId: string; culprit: string; testId: string | null } };
  expect(medic).toMatchObject({ step: "revert", bisect: { jobId: steps[1]!.id, culprit, testId: "lib.test.js > add" } });
  expect((await c.job(medic.bisect.jobId)).job).toMatchObject({ kind: "bisect", state: "succeeded", result: { verdict: "found", culprit } });
  expect(pr).toMatchObject({ title: "Revert Speed up add (broke unit)", risk: "medium", baseSha: head, files: [{ path: "src/lib.js" }], checks: { state: "passed", sha: pr.headSha } });
  expect(pr.body).toContain(`bisect job ${medic.bisect.jobId} found it`);
  expect(pr.body).toContain(`| confirm | \`${head.slice(0, 12)}\` | bad |`);

  const gate = await c.client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate).toMatchObject({ ok: false, gates: { tier: "medium", requiredApprovals: 1 } });
  expect((await cli(c, ["approve", String(pr.number)])).exitCode).toBe(0);
  const merged = await cli(c, ["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await item(c, (i) => i.id === filed.id && i.state === "done", "the item to be done once its revert merged");
  expect(git(c, ["show", "main:src/lib.js"])).toBe("exports.add = (a, b) => a + b;\nexports.twice = (a) => 2 * a;");
  const after = await cli(c, ["check", "--wait"]);
  expect(after.exitCode, after.stdout + after.stderr).toBe(0);
  await stop(c);
}, 90_000);

// ---------------------------------------------------------------------------------------------------
// 3: lint -> the repository's fixer -> Low.

const LINT_JS = `"use strict";
const fs = require("node:fs");
const fix = process.argv.includes("--fix");
let problems = 0;
for (const file of fs.readdirSync("src").sort().map((f) => "src/" + f)) {
  const lines = fs.readFileSync(file, "utf8").split("\\n");
  const fixed = lines.map((line, i) => {
    if (!/[ \\t]+$/.test(line)) return line;
    if (!fix) { problems++; console.log(file + ":" + (i + 1) + ": trailing whitespace"); }
    return line.replace(/[ \\t]+$/, "");
  });
  if (fix) fs.writeFileSync(file, fixed.join("\\n"));
}
if (problems) { console.log(problems + " problem(s)"); process.exit(1); }
`;
const LINT_PACKAGE = `${JSON.stringify({ name: "lint-me", version: "1.0.0", private: true, scripts: { lint: "node lint.js", "lint:fix": "node lint.js --fix" } }, null, 2)}\n`;

test("a red lint check is fixed by the repository's lint:fix as a Low PR touching only the named file, merged with no approval", async () => {
  const c = await startAll(`${HEADER}\n[install]\npackage_manager = "none"\n\n${checkToml({ name: "lint", run: "npm run lint" })}`, { "package.json": LINT_PACKAGE, "lint.js": LINT_JS, "src/a.js": "const a = 1;\n", "src/b.js": "const b = 2;\n" });
  const head = commit(c, "a with a trailing space", { "src/a.js": "const a = 1;  \nconst c = 3;\n" });
  const red = await cli(c, ["check", "--wait"]);
  expect(red.exitCode, red.stdout + red.stderr).toBe(1);
  expect(red.stdout).toContain("src/a.js:1: trailing whitespace");
  const filed = await item(c, (i) => i.source === "failing_build", "the red check's item");
  const pr = await prOfItem(c, filed.id);
  const medic = (await items(c)).find((i) => i.id === filed.id)!.detail.medic as { triage: { verdict: string } };
  expect(medic.triage.verdict).toBe("broken");
  expect(pr).toMatchObject({ risk: "low", baseSha: head, files: [{ path: "src/a.js", status: "modified" }], checks: { state: "passed", sha: pr.headSha } });
  expect(pr.classification?.tier).toBe("low");
  expect(pr.body).toContain("npm run lint:fix");
  expect(git(c, ["show", `${pr.headSha}:src/a.js`])).toBe("const a = 1;\nconst c = 3;");

  // The default policy does not auto-merge Low (low.auto_merge = false), but it needs no approval.
  const gate = await c.client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate).toMatchObject({ ok: true, missing: [], gates: { tier: "low", autoMerge: false, requiredApprovals: 0 } });
  const merged = await cli(c, ["pr", "merge", String(pr.number)]);
  expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
  await item(c, (i) => i.id === filed.id && i.state === "done", "the item to be done once its fix merged");
  const landed = (await c.client.call(routes.getPr, { params: { number: pr.number } })).pr;
  expect(landed).toMatchObject({ state: "merged", approvals: [] });
  expect(git(c, ["show", "main:src/a.js"])).toBe("const a = 1;\nconst c = 3;");
  await stop(c);
}, 90_000);

// ---------------------------------------------------------------------------------------------------
// 4: timeout -> infrastructure: asked, nothing changed.

test("a check that runs past checks.timeout_seconds is the machine's trouble: the item asks (unrelated_state), no PR, no branch", async () => {
  // One attempt: a checks job that times out is otherwise retried (jobs.max_attempts) before it is red.
  const c = await startAll(`${HEADER}\n[jobs]\nmax_attempts = 1\n\n[checks]\ntimeout_seconds = 2\n\n${checkToml({ name: "slow", run: "sleep 5" })}`, {});
  const red = await cli(c, ["check", "--wait"]);
  expect(red.exitCode, red.stdout + red.stderr).toBe(1);
  const filed = await item(c, (i) => i.source === "failing_build", "the red check's item");
  expect(filed.title).toBe("slow runs past its time limit on main");
  const blocked = await item(c, (i) => i.id === filed.id && i.state === "blocked", "the item to ask", 60_000);
  expect(blocked.escalation, blocked.question ?? "").toBe("unrelated_state");
  expect(blocked.question).toContain("slow's rerun on");
  expect(blocked.question).toContain("ran past its time limit: the machine or its setup, not the code, so nothing was changed");
  const triage = (await c.job(String(blocked.detail.job))).job;
  expect(triage).toMatchObject({ kind: "triage", state: "succeeded", result: { verdict: "infrastructure", runs: [{ failureClass: "timeout" }] } });
  expect(String((triage.result as { runs: { reason: string }[] }).runs[0]!.reason)).toContain("ran past the 2s checks time limit");
  expect((await c.client.call(routes.listPrs, { query: {} })).prs).toEqual([]);
  expect(git(c, ["for-each-ref", "--format=%(refname)", "refs/heads/"])).toBe("refs/heads/main");
  await stop(c);
}, 90_000);

// ---------------------------------------------------------------------------------------------------
// A broken check with no green commit to bisect from, and a model configured (#19's fallback).

test("broken with no green commit known and a model configured: the model's fix of the red build is a Medium PR whose checks pass", async () => {
  const KEY = "sk-test-ci-medic-0123456789SECRET";
  const reply = (command: string) => ({ reply: `\`\`\`bash\n${command}\n\`\`\``, usage: { inputTokens: 200, outputTokens: 20 } });
  const model = startScriptedModel([reply("sed -i 's/a - b/a + b/' lib.js && node --test add.test.js"), reply("SUBMIT")]);
  try {
    const models = `\n[models]\nprovider = "openai-compatible"\nbase_url = "${model.url}"\nmodel = "scripted"\napi_key_env = "TEST_MODEL_KEY"\n`;
    const c = await Cluster.create({
      configToml: `${HEADER}\n${checkToml({ name: "test", run: "node --test add.test.js" })}${models}`,
      files: { "lib.js": "exports.add = (a, b) => a - b;\n", "add.test.js": 'const test = require("node:test");\nconst assert = require("node:assert");\nconst { add } = require("./lib.js");\ntest("adds", () => assert.equal(add(2, 2), 4));\n' },
      env: { TEST_MODEL_KEY: KEY },
    });
    clusters.add(c);
    await c.startServer();
    await Promise.all([c.startWorker("w1"), c.startAgents(), c.startRemoteAgent()]);
    const red = await cli(c, ["check", "--wait"]);
    expect(red.exitCode, red.stdout + red.stderr).toBe(1);
    const filed = await item(c, (i) => i.source === "failing_build", "the red check's item");
    const pr = await prOfItem(c, filed.id, 120_000);
    expect(pr).toMatchObject({ risk: "medium", role: "codemod", checks: { state: "passed" } });
    expect(pr.title).toBe("Fix test on main");
    expect(git(c, ["show", `${pr.headSha}:lib.js`])).toBe("exports.add = (a, b) => a + b;");
    // The model was told the check and its failure, as data; it saw no key.
    const told = model.completions()[0]!.messages.map((m) => m.content).join("\n");
    expect(told).toContain("test passes again on main");
    expect(told).not.toContain(KEY);
    await stop(c);
  } finally {
    model.stop();
  }
}, 180_000);
