import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import { loadEffectiveConfig } from "../src/config/load.ts";
import type { QuarantineInput } from "../src/kinds/quarantine/quarantine-input.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { runServer, type RunningServer } from "../src/server/main.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { addEntries, entryBlock } from "../src/test-quarantine/edit-quarantine.ts";
import { isoDay, QUARANTINE_FILE, type QuarantineEntry } from "../src/test-quarantine/quarantine-entry.ts";
import { runServerJob } from "./helpers/server-job.ts";
import { makeRepo, spawnPushpals, type Proc } from "./helpers/cluster.ts";

/**
 * The `quarantine` kind end to end (issue #17): only the server creates it, so the server runs in this
 * process and queues its jobs as the CI Medic's dispatch does; a real WorkerPal and a real ReviewAgent
 * run them. The quarantine PR is Medium, reviewed clean, and merges only after a person's approval; a
 * hand-made PR that adds an entry without evidence is blocked by the review.
 */

const CHECK = { name: "test", run: "test -f README.md" };

let repo: Awaited<ReturnType<typeof makeRepo>>;
let server: RunningServer;
let client: ApiClient;
const procs: Proc[] = [];
let base: string;

function git(args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

/** A hand-written entry with no evidence to speak of, committed as a plain file a `run` copies into place. */
const FORGED: QuarantineEntry = {
  id: "src/a.test.ts > flaky > sometimes",
  check: "test",
  reason: "it annoys me",
  score: 0.1,
  runs: 1,
  failures: 0,
  commits: ["f".repeat(40)],
  triage_job: "job_00000000000000000000",
  added: isoDay(Date.now()),
  expires: isoDay(Date.now() + 30 * 86_400_000),
  requested_by: "os:mallory",
  approval: "pr",
};

beforeAll(async () => {
  repo = await makeRepo({
    files: { "fixtures/forged.toml": `${entryBlock(FORGED).join("\n")}\n` },
    configToml: `[[checks.commands]]\nname = "${CHECK.name}"\nrun = ${JSON.stringify(CHECK.run)}\n`,
  });
  base = git(["rev-parse", "HEAD"]);
  const config = loadEffectiveConfig({ repoRoot: repo.root, runtimeDir: repo.paths.runtimeDir, env: {} }).config;
  server = await runServer(repo.paths, config, { tickMs: 50 });
  client = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
  const worker = spawnPushpals(["worker", "--name", "medic"], repo.root);
  const reviewer = spawnPushpals(["agent", "review-agent"], repo.root);
  procs.push(worker, reviewer);
  await Promise.all([worker.waitForOutput(/registered wrk_\S+ for .*quarantine/), reviewer.waitForOutput(/\[review-agent\] ready/)]);
}, 60_000);

afterAll(async () => {
  for (const p of procs) p.proc.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.proc.exited));
  await server?.shutdown("test over");
  repo?.cleanup();
});

/** Queues a job as the server does and resolves when it ends (the server's committed events, no polling). */
function run(kind: string, input: unknown, actor = "server"): Promise<Job> {
  return runServerJob(server, kind, input, { actor });
}

/** The PR a job opened, once the ReviewAgent has reviewed its head. */
async function reviewed(job: Job): Promise<PullRequest> {
  expect(job.failure ?? null).toBeNull();
  expect(job.state).toBe("succeeded");
  const number = (await client.call(routes.listPrs, {})).prs.find((p) => p.jobId === job.id)!.number;
  for (;;) {
    const { pr } = await client.call(routes.getPr, { params: { number } });
    if (pr.review?.headSha === pr.headSha) return pr;
    await Bun.sleep(50);
  }
}

test("the CI Medic's quarantine: the file edited with the evidence, a Medium PR the review passes, merged only after a person approves", async () => {
  const triage = await run("triage", { commit: base, branch: "main", check: CHECK, runs: 2 });
  expect(triage.state).toBe("succeeded");
  const today = isoDay(Date.now());
  const flaky: QuarantineEntry = {
    id: "src/a.test.ts > pool > reuses a connection",
    check: CHECK.name,
    reason: "failed 2 of 6 runs on main",
    score: 0.33,
    runs: 6,
    failures: 2,
    commits: [base],
    triage_job: triage.id,
    added: today,
    expires: isoDay(Date.now() + 30 * 86_400_000),
    requested_by: "pushpals:ci-medic",
    approval: "pr",
  };
  const input: Partial<QuarantineInput> = { baseBranch: "main", baseCommit: base, add: [flaky] };
  const pr = await reviewed(await run("quarantine", input));

  expect(pr.title).toBe("Quarantine src/a.test.ts > pool > reuses a connection");
  expect(pr.body).toContain(`| src/a.test.ts > pool > reuses a connection | test | 6 | 2 | 0.33 | ${base.slice(0, 12)} | ${flaky.expires} | ${triage.id} |`);
  expect(pr.body).toContain("a person approves this PR before it merges");
  expect(pr).toMatchObject({ role: "ci_medic", scope: [QUARANTINE_FILE], files: [{ path: QUARANTINE_FILE, status: "added" }], createdBy: "server" });
  expect(git(["show", `${pr.headSha}:${QUARANTINE_FILE}`]) + "\n").toBe(addEntries(null, [flaky]));
  expect(git(["log", "-1", "--format=%B", pr.headSha])).toContain("PushPals-Quarantine: +1 -0");
  // The user's checkout is untouched.
  expect(existsSync(join(repo.root, QUARANTINE_FILE))).toBe(false);

  expect(pr.classification?.tier).toBe("medium");
  expect(pr.classification?.reasons.map((r) => r.rule)).toContain("quarantine_file");
  expect(pr.review?.decision).toBe("approve");
  expect(pr.review?.findings.map((f) => [f.rule, f.severity])).toEqual([["quarantine.needs_approval", "note"]]);

  const gate = await client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate.ok).toBe(false);
  expect(gate.gates).toMatchObject({ tier: "medium", autoMerge: false, requiredApprovals: 1 });
  expect(gate.missing).toEqual([`1 more approval(s) of ${pr.headSha.slice(0, 12)} by someone other than server (pushpals approve ${pr.number})`]);
  await client.call(routes.approvePr, { params: { number: pr.number }, body: { head: pr.headSha } });
  expect((await client.call(routes.prGate, { params: { number: pr.number }, query: {} })).ok).toBe(true);
}, 60_000);

test("a hand-made PR that adds an entry without evidence is blocked by the review", async () => {
  const job = await run(
    "run",
    { title: "quarantine by hand", command: `mkdir -p .pushpals && cp fixtures/forged.toml ${QUARANTINE_FILE}`, scope: [QUARANTINE_FILE], baseBranch: "main", baseCommit: base },
    "os:mallory",
  );
  const pr = await reviewed(job);
  expect(pr.classification?.tier).toBe("medium");
  expect(pr.review?.decision).toBe("block");
  const blocks = pr.review!.findings.filter((f) => f.severity === "block").map((f) => f.rule);
  expect(blocks).toEqual(["quarantine.weak_evidence", "quarantine.weak_evidence", "quarantine.undeclared", "quarantine.evidence_unverified"]);
  await client.call(routes.approvePr, { params: { number: pr.number }, body: { head: pr.headSha } });
  const gate = await client.call(routes.prGate, { params: { number: pr.number }, query: {} });
  expect(gate.ok).toBe(false);
  expect(gate.missing.join("\n")).toContain("the ReviewAgent's approval: it says block: quarantine.weak_evidence");
}, 60_000);
