import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { Cluster, makeRepo, PUSHPALS_BIN, spawnPushpals } from "./helpers/cluster.ts";
import { openForOthers, osUsersUnavailable, OsUsers, type OsUser } from "./helpers/os-user.ts";
import { rawCall, type RawAnswer } from "./helpers/raw-call.ts";

/**
 * Hole 2: only PushPals' own components, each with the credential the supervisor (or, for a process
 * run by hand, the server) gave it, may register for a role, claim its kinds and post their results.
 * Every attacker here is a real separate process; every test checks the exact end state.
 */

const noUsers = osUsersUnavailable();
if (noUsers) console.warn(`skipping the other-uid cases: ${noUsers}`);
const users = new OsUsers();
let mallory: OsUser | null = null;
let people: string | null = null;
beforeAll(() => {
  if (noUsers) return;
  mallory = users.user("ccm");
  people = users.group("ccg");
});
afterAll(() => users.cleanup());

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const git = (c: Cluster, args: string[]) => Bun.spawnSync(["git", ...args], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim();
const FORGED = `pp1.review-agent.review-agent.${"ab".repeat(16)}.${"cd".repeat(32)}`;

/** Every way a process without the right credential tries one role's part; each must be a 403. */
function attack(c: Cluster, kind: string, job: Job, result: unknown): RawAnswer[] {
  const socket = { socket: c.paths.socket };
  // A credential this uid may get for itself: a WorkerPal's, which does not cover the agents' kinds.
  const worker = rawCall(socket, "POST", "/credentials", { role: "worker", name: "intruder" });
  expect(worker.status).toBe(200);
  const answers: RawAnswer[] = [];
  for (const headers of [{}, { "x-pushpals-credential": FORGED }, { "x-pushpals-credential": String(worker.body.credential) }] as Record<string, string>[]) {
    answers.push(rawCall(socket, "POST", "/workers", { id: "wrk_intruder1", name: "intruder", kinds: [kind], pid: null }, headers));
    answers.push(rawCall(socket, "POST", "/workers/wrk_intruder1/claim", { kinds: [kind], waitMs: 0 }, headers));
    for (const token of [1, 2]) answers.push(rawCall(socket, "POST", `/jobs/${job.id}/complete`, { workerId: "wrk_intruder1", token, result }, headers));
    answers.push(rawCall(socket, "POST", `/jobs/${job.id}/fail`, { workerId: "wrk_intruder1", token: 1, failure: { class: "internal", message: "x", evidence: {} } }, headers));
  }
  return answers;
}

async function onlyJob(c: Cluster, kind: string): Promise<Job> {
  for (;;) {
    const { jobs } = await c.client.call(routes.listJobs, { query: { kind } });
    if (jobs.length === 1) return jobs[0]!;
    expect(jobs.length).toBeLessThan(2);
    await Bun.sleep(25);
  }
}

test("no process but the ReviewAgent and the SourceControlManager can take their jobs or post a verdict or a merge", async () => {
  const c = await Cluster.create({ configToml: `[checks]\ncommands = [{ name = "ok", run = "true" }]\n`, files: { "src/a.txt": "one\n" } });
  cluster = c;
  openForOthers(c.root);
  await c.startServer();
  await c.startWorker("w1");
  // No ReviewAgent runs yet, so `run` would wait for its verdict: take the job and find its PR.
  const r = c.cli(["run", "--no-wait", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt"]);
  expect(r.stderr).toBe("");
  const runJob = (JSON.parse(r.stdout) as { job: Job }).job;
  await c.waitForJob(runJob.id, (j) => j.state === "succeeded", 30_000);
  const opened = (await c.client.call(routes.listPrs)).prs.find((p) => p.jobId === runJob.id)!;
  const review = await onlyJob(c, "review");
  expect(review.state).toBe("queued");

  // Posing as the ReviewAgent: register for `review`, claim it, post an approving verdict of an empty diff.
  const verdict = { verdict: { decision: "approve", headSha: opened.headSha, policyHash: "0".repeat(64), findings: [], reviewedAt: Date.now() }, classification: { tier: "low", reasons: [] }, autoMerge: true };
  const asReviewer = attack(c, "review", review, verdict);
  for (const a of asReviewer) expect(a.status).toBe(403);
  expect(asReviewer[0]!.body.error?.message).toContain("needs a component credential");
  expect(asReviewer[5]!.body.error?.message).toContain("credential is not valid");
  expect(asReviewer[10]!.body.error?.message).toContain("review jobs are run by the review-agent role");
  if (mallory) {
    // Another uid cannot even reach the socket, let alone ask for a credential.
    const out = mallory.run(c.root, [process.execPath, "-e", `try { const r = await fetch("http://localhost/credentials", { method: "POST", unix: ${JSON.stringify(c.paths.socket)}, headers: { "content-type": "application/json" }, body: '{"role":"review-agent","name":"review-agent"}' }); console.log(r.status); } catch (e) { console.log("refused"); }`]);
    expect(out.stdout.trim()).toBe("refused");
  }
  const unreviewed = (await c.client.call(routes.getPr, { params: { number: opened.number } })).pr;
  expect(unreviewed.review).toBeNull();
  expect((await c.job(review.id)).job).toMatchObject({ state: "queued", attempt: 0, workerId: null, result: null });
  expect(c.cli(["audit", "export"]).stdout).not.toContain('"action":"pr.reviewed"');

  // The real ReviewAgent then reviews the real diff.
  const reviewer = spawnPushpals(["agent", "review-agent"], c.root);
  c.procs.push(reviewer);
  await reviewer.waitForOutput(/\[review-agent\] ready/);
  await c.waitForJob(review.id, (j) => j.state === "succeeded");

  // Posing as the SourceControlManager: a merge job waits (no SCM runs yet); nobody else may take it or report it merged.
  expect(c.cli(["pr", "merge", String(opened.number), "--no-wait"]).exitCode).toBe(0);
  const merge = await onlyJob(c, "merge");
  const outcome = { mergedSha: opened.headSha, previousBaseSha: opened.baseSha, checks: { state: "passed", sha: opened.headSha, results: [] }, rebased: false, checkedOutAt: [] };
  for (const a of attack(c, "merge", merge, outcome)) expect(a.status).toBe(403);
  expect((await c.job(merge.id)).job).toMatchObject({ state: "queued", attempt: 0, workerId: null, result: null });
  const pr = (await c.client.call(routes.getPr, { params: { number: opened.number } })).pr;
  expect(pr.state).toBe("open");
  expect(pr.merge).toBeNull();
  expect(git(c, ["rev-parse", "main"])).toBe(opened.baseSha);

  // The real SourceControlManager merges it.
  const scm = spawnPushpals(["agent", "scm"], c.root);
  c.procs.push(scm);
  await c.waitForJob(merge.id, (j) => j.state === "succeeded", 30_000);
  expect(git(c, ["rev-parse", "main"])).toBe(opened.headSha);
  // The audit names who got which credential: the components run by hand asked for their own.
  const audit = c.cli(["audit", "export"]).stdout;
  expect(audit).toContain('"action":"credential.issued","subject":"review-agent"');
  expect(audit).toContain('"action":"credential.issued","subject":"intruder"');
}, 120_000);

test("under `pushpals start` each component gets its credential on an inherited descriptor, and a sandboxed command can obtain none", async () => {
  // With the people's socket open too (where groups can be made), so the probe shows it is hidden as well.
  const repo = await makeRepo({ configToml: `[[checks.commands]]\nname = "ok"\nrun = "true"\n${people ? `[server]\npeople_group = "${people}"\n` : ""}` });
  const cli = (args: string[]) => Bun.spawnSync([PUSHPALS_BIN, ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
  try {
    const started = cli(["start", "--detach", "--workers", "1"]);
    expect(started.stdout.toString()).toContain("all systems online");
    const client = new ApiClient({ serverFile: repo.paths.serverFile }, { checkReplies: true });
    const { components } = await client.call(routes.listComponents);
    const worker = components.find((x) => x.name === "worker-1")!;
    // The credential is not in the worker's argv or environment, and its descriptor is closed after reading.
    const environ = readFileSync(`/proc/${worker.pid}/environ`, "utf8");
    const cmdline = readFileSync(`/proc/${worker.pid}/cmdline`, "utf8");
    expect(environ).not.toContain("pp1.");
    expect(cmdline).not.toContain("pp1.");
    // A descriptor may close between the listing and its readlink (the worker is busy): skip those.
    const open = readdirSync(`/proc/${worker.pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${worker.pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
    expect(open.filter((target) => target.includes(".credential-"))).toEqual([]);
    expect(readdirSync(repo.paths.runtimeDir).filter((f) => f.startsWith(".credential-"))).toEqual([]);

    const { runtimeDir, socket, peopleDir, credentialKey } = repo.paths;
    const probe = [
      "ls -l /proc/self/fd",
      "env",
      `ls -la '${runtimeDir}'`,
      `cat '${credentialKey}' | od -An -tx1 | head -2`,
      `ls -la '${peopleDir}'`,
      `curl -s --max-time 2 --unix-socket '${socket}' -X POST -H 'content-type: application/json' -d '{"role":"scm","name":"scm"}' http://localhost/credentials; echo "curl exit $?"`,
      `curl -s --max-time 2 --unix-socket '${repo.paths.peopleSocket}' -X POST -H 'content-type: application/json' -d '{}' http://localhost/prs/1/approve; echo "people curl exit $?"`,
      `for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < "$f"; done 2>/dev/null | grep -i pushpals`,
      `ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -c credential`,
      "true",
    ].join("; ");
    const head = Bun.spawnSync(["git", "rev-parse", "HEAD"], { cwd: repo.root, stdout: "pipe" }).stdout.toString().trim();
    const { job } = await client.call(routes.enqueueJob, { body: { kind: "checks", input: { commit: head, commands: [{ name: "probe", run: probe }], timeoutSeconds: 60 } } });
    const deadline = Date.now() + 30_000;
    while (!["succeeded", "failed"].includes((await client.call(routes.getJob, { params: { id: job.id } })).job.state) && Date.now() < deadline) await Bun.sleep(50);
    expect((await client.call(routes.getJob, { params: { id: job.id } })).job.state).toBe("succeeded");
    // What the command printed (the first line echoes the command itself).
    const lines = (await client.call(routes.jobLogs, { params: { id: job.id }, query: { limit: 5000 } })).lines.map((l) => l.line).filter((l) => !l.startsWith("$ "));
    const log = lines.join("\n");
    expect(log).toContain("\ncurl exit 7"); // the socket is not there to connect to
    expect(log).toContain("people curl exit 7");
    if (people) expect(statSync(repo.paths.peopleSocket).isSocket()).toBe(true); // it is there, outside the sandbox
    expect(log).not.toContain("pp1.");
    expect(log).not.toContain("PUSHPALS_CREDENTIAL_FD");
    expect(log).not.toContain("api.sock");
    const key = [...readFileSync(credentialKey)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    expect(log.replace(/\s+/g, " ")).not.toContain(key.slice(0, 23));
    // fd 0-2, and the one ls opens for /proc/self/fd: nothing inherited.
    const fds = lines.filter((l) => /^l[rwx-]{9} .* (\d+) -> /.test(l)).map((l) => Number(/ (\d+) -> /.exec(l)![1]));
    expect(fds.filter((fd) => fd > 3)).toEqual([]);
    // The supervisor asked for each child's credential itself.
    const supervisorPid = JSON.parse(readFileSync(repo.paths.supervisorFile, "utf8")).pid as number;
    const issued = cli(["audit", "export"]).stdout.toString().split("\n").filter((l) => l.includes('"action":"credential.issued"')).map((l) => JSON.parse(l) as { subject: string; data: { pid: number } });
    expect(issued.filter((e) => e.data.pid === supervisorPid).map((e) => e.subject).sort()).toEqual(["remote-agent", "review-agent", "scm", "supervisor", "worker-1"]);
  } finally {
    cli(["stop"]);
    repo.cleanup();
  }
}, 90_000);

test("a component whose supervisor closes its credential pipe empty stops, rather than issuing itself a credential", async () => {
  const c = await Cluster.create({ configToml: '[[checks.commands]]\nname = "ok"\nrun = "true"\n' });
  try {
    await c.startServer();
    const { hostBun } = await import("../src/core/host-bun.ts");
    const entry = new URL("../src/roles/worker.ts", import.meta.url).pathname;
    const child = Bun.spawn(hostBun(entry, "--name", "orphan", "--component", "worker-9"), {
      cwd: c.root,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: { ...process.env, PUSHPALS_CREDENTIAL_FD: "3" },
    });
    const { closeSync } = await import("node:fs");
    closeSync(child.stdio[3] as number);
    const [stderr, code] = await Promise.all([new Response(child.stderr as ReadableStream).text(), child.exited]);
    expect(code).toBe(6);
    expect(stderr).toContain("closed the credential pipe without a credential");
    const { workers } = await c.client.call(routes.listWorkers);
    expect(workers.map((w) => w.name)).not.toContain("orphan");
  } finally {
    await c.stop();
  }
}, 30_000);
