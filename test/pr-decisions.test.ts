import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { ApiClient } from "../src/client/api-client.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { openForOthers, osUsersUnavailable, OsUsers, type OsUser } from "./helpers/os-user.ts";

/**
 * Attacks on what a decision means (issue #10, holes 3–6): jobs only the server may create, merges
 * built from the PR record, decisions bound to the head a person saw, rejections that stand, and a
 * PR judged under a rule its base gained after it was opened. Each asserts the end state.
 */

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const CHECKS = `[checks]\ncommands = [{ name = "ok", run = "true" }]\n`;

// carol runs PushPals (this process's OS user) and asks for the changes; dave and erin are other
// people, which the server knows only from the kernel: real OS users on the people's socket.
const noUsers = osUsersUnavailable();
if (noUsers) console.warn(`skipping the tests that need other people: ${noUsers}`);
const users = new OsUsers();
let people = "";
const others: Record<string, OsUser> = {};
beforeAll(() => {
  if (noUsers) return;
  people = users.group("ppl");
  others.dave = users.user("dave", [people]);
  others.erin = users.user("erin", [people]);
});
afterAll(() => users.cleanup());
const needsPeople = test.skipIf(noUsers !== null);

async function start(policyToml = ""): Promise<Cluster> {
  const files: Record<string, string> = { "src/a.txt": "one\n", "src/b.txt": "two\n" };
  if (policyToml) files[".pushpals/policy.toml"] = policyToml;
  const c = await Cluster.create({ configToml: CHECKS + (noUsers ? "" : `[server]\npeople_group = "${people}"\n`), files });
  openForOthers(c.root);
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  return c;
}

function cliAs(c: Cluster, user: "carol" | "dave" | "erin", args: string[]) {
  return user === "carol" ? c.cli(args) : others[user]!.cli(c.root, args);
}

function run(c: Cluster, args: string[]): PullRequest {
  const r = cliAs(c, "carol", ["run", "--json", ...args]);
  expect(r.stderr).toBe("");
  return (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
}

/** The PR once the ReviewAgent's verdict on its current head is in (optionally: under another policy than `notPolicy`). */
async function reviewed(c: Cluster, n: number, notPolicy?: string): Promise<PullRequest> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const p = (await c.client.call(routes.getPr, { params: { number: n } })).pr;
    if (p.review?.headSha === p.headSha && p.review.policyHash !== notPolicy) return p;
    if (Date.now() > deadline) throw new Error(`PR #${n} was not reviewed`);
    await Bun.sleep(25);
  }
}

const git = (c: Cluster, args: string[]) => Bun.spawnSync(["git", ...args], { cwd: c.root, stdout: "pipe" }).stdout.toString().trim();

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error("expected a refusal");
}

test("review, merge and publish jobs are the server's: a client can neither create them nor take their dedupe keys first", async () => {
  const c = await start();
  const opened = run(c, ["--scope", "src/**", "--", "echo x >> src/a.txt"]);
  const base = git(c, ["rev-parse", "main"]);
  const sha = opened.headSha;
  // A review of an empty diff (base = head), which the real ReviewAgent would approve.
  const forgedReview = { kind: "review", input: { prNumber: opened.number, headSha: sha, baseSha: sha, declaredRisk: "low", scope: ["**"], checks: { state: "passed", sha } } };
  expect(await refusal(c.client.call(routes.enqueueJob, { body: forgedReview }))).toMatchObject({ code: "forbidden" });
  // A merge whose checks are `true` and whose base is the head itself (a fast-forward nobody reviewed).
  const forgedMerge = { kind: "merge", input: { prNumber: opened.number, headSha: sha, baseSha: sha, baseBranch: "main", headBranch: opened.headBranch, title: "x", checks: { commands: [{ name: "ok", run: "true" }] } } };
  expect(await refusal(c.client.call(routes.enqueueJob, { body: forgedMerge }))).toMatchObject({ code: "forbidden" });
  const forgedPublish = { kind: "publish", input: { prNumber: opened.number, headBranch: opened.headBranch, headSha: sha, baseBranch: "main", title: "x", body: "", expectedRemoteSha: null } };
  expect(await refusal(c.client.call(routes.enqueueJob, { body: forgedPublish }))).toMatchObject({ code: "forbidden" });
  // Taking the key of the review the server is about to request, on a harmless kind.
  const squat = { kind: "noop", input: { sleepMs: 60_000 }, dedupeKey: `review:${opened.number + 1}:${"b".repeat(40)}` };
  expect(await refusal(c.client.call(routes.enqueueJob, { body: squat }))).toMatchObject({ code: "forbidden" });
  // RFC bookkeeping: a client's "RFC" for a real High directive, written before the server's own.
  const asked = await c.client.call(routes.recordDirective, { body: { directive: { goal: "rework the tokens", risk: "high", scope: [], done: null, constraints: null }, baseBranch: "main" } });
  const fakeRfc = { kind: "run", input: { title: "RFC", command: "true", scope: ["docs/rfcs/**"], baseBranch: "main", baseCommit: base, checks: { commands: [] }, rfcFor: asked.job.id } };
  expect(await refusal(c.client.call(routes.enqueueJob, { body: fakeRfc }))).toMatchObject({ code: "forbidden" });
  expect(asked.rfcJob).toMatchObject({ kind: "run", dedupeKey: `rfc:${asked.job.id}`, input: { rfcFor: asked.job.id, scope: ["docs/rfcs/**"] } });

  // End state: only the server's own review exists for the PR, nothing merged, the base where it was.
  const pr = await reviewed(c, opened.number);
  expect(pr.review?.headSha).toBe(sha);
  expect(pr.state).toBe("open");
  const kinds = (await c.client.call(routes.listJobs, { query: { limit: 100 } })).jobs.map((j) => `${j.kind}:${j.createdBy}`);
  expect(kinds.filter((k) => /^(review|merge|publish)/.test(k))).toEqual(["review:scm"]);
  const rfcRuns = (await c.client.call(routes.listJobs, { query: { kind: "run", limit: 100 } })).jobs.filter((j) => (j.input as { rfcFor?: string | null }).rfcFor);
  expect(rfcRuns.map((j) => j.id)).toEqual([asked.rfcJob!.id]);
  expect(git(c, ["rev-parse", "main"])).toBe(base);
}, 60_000);

test("a merge is asked for by PR number and head: the server builds it, and a moved head is refused", async () => {
  const c = await start();
  const opened = run(c, ["--scope", "src/**", "--", "echo x >> src/a.txt"]);
  await reviewed(c, opened.number);
  const base = git(c, ["rev-parse", "main"]);
  const stale = await refusal(c.client.call(routes.mergePr, { params: { number: opened.number }, body: { head: "c".repeat(40) } }));
  expect(stale.code).toBe("conflict");
  expect(stale.message).toContain(`moved from cccccccccccc (what you were shown) to ${opened.headSha.slice(0, 12)}`);
  expect(git(c, ["rev-parse", "main"])).toBe(base);
  const merged = cliAs(c, "carol", ["pr", "merge", String(opened.number), "--head", opened.headSha.slice(0, 10)]);
  expect(merged.exitCode).toBe(0);
  expect(git(c, ["rev-parse", "main"])).toBe(opened.headSha);
  const job = (await c.client.call(routes.listJobs, { query: { kind: "merge" } })).jobs[0]!;
  // Nothing in the job came from the request but the head it names: no check commands at all.
  expect(job.input).not.toHaveProperty("checks");
  expect(job.input).toMatchObject({ prNumber: opened.number, headSha: opened.headSha, baseSha: opened.baseSha, baseBranch: "main" });
}, 60_000);

needsPeople("an approval names the head the person saw: one racing a new head is refused and records nothing", async () => {
  const c = await start("[low]\nmax_files = 1\n");
  const opened = run(c, ["--scope", "src/**", "--", "echo x >> src/a.txt && echo y >> src/b.txt"]);
  const seen = (await reviewed(c, opened.number)).headSha;
  // The requester adds a commit between what dave looked at and his approval.
  run(c, ["--pr", String(opened.number), "--scope", "src/**", "--", "echo z >> src/a.txt"]);
  const moved = await reviewed(c, opened.number);
  expect(moved.headSha).not.toBe(seen);

  const late = cliAs(c, "dave", ["approve", String(opened.number), "--head", seen]);
  expect(late.exitCode).toBe(5);
  expect(late.stderr).toContain(`head is ${moved.headSha.slice(0, 12)}, not ${seen}`);
  const raced = await refusal(c.client.call(routes.approvePr, { params: { number: opened.number }, body: { head: seen } }));
  expect(raced.code).toBe("conflict");
  const after = (await c.client.call(routes.getPr, { params: { number: opened.number } })).pr;
  expect(after.approvals).toEqual([]);
  const merge = cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(merge.exitCode).toBe(1);
  expect(git(c, ["rev-parse", "main"])).toBe(opened.baseSha);
}, 90_000);

needsPeople("a rejection stands across new heads until the person who gave it approves a head", async () => {
  const c = await start();
  const opened = run(c, ["--scope", "src/**", "--", "echo x >> src/a.txt"]);
  await reviewed(c, opened.number);
  expect(cliAs(c, "dave", ["reject", String(opened.number), "--why", "wrong file"]).exitCode).toBe(0);
  // The requester answers with a new commit and tries to merge at once.
  run(c, ["--pr", String(opened.number), "--scope", "src/**", "--", "echo y >> src/b.txt"]);
  const updated = await reviewed(c, opened.number);
  const blocked = cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(blocked.exitCode).toBe(1);
  expect(blocked.stdout).toContain(`os:${others.dave!.name} rejected it at ${opened.headSha.slice(0, 12)} (wrong file)`);
  expect(git(c, ["rev-parse", "main"])).toBe(opened.baseSha);
  expect((await c.client.call(routes.getPr, { params: { number: opened.number } })).pr.state).toBe("open");

  // Someone else's approval does not lift dave's rejection; dave's own does.
  expect(cliAs(c, "erin", ["approve", String(opened.number)]).exitCode).toBe(0);
  expect(cliAs(c, "carol", ["pr", "merge", String(opened.number)]).exitCode).toBe(1);
  expect(cliAs(c, "dave", ["approve", String(opened.number)]).exitCode).toBe(0);
  expect(cliAs(c, "carol", ["pr", "merge", String(opened.number)]).exitCode).toBe(0);
  expect(git(c, ["rev-parse", "main"])).toBe(updated.headSha);
}, 120_000);

test("a PR opened before its base protected its paths is judged under the stricter policy: re-reviewed, High, not merged", async () => {
  const c = await start();
  const opened = run(c, ["--scope", "src/**", "--", "echo x >> src/a.txt"]);
  const first = await reviewed(c, opened.number);
  expect(first.classification?.tier).toBe("low");
  // The maintainers protect src/ on main after the PR was opened.
  await Bun.write(`${c.root}/.pushpals/policy.toml`, '[paths]\nprotected = ["src/**"]\n');
  git(c, ["add", ".pushpals/policy.toml"]);
  git(c, ["-c", "user.name=m", "-c", "user.email=m@example.com", "commit", "-q", "-m", "protect src"]);
  const protectedBase = git(c, ["rev-parse", "main"]);

  const again = cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(again.exitCode).toBe(5);
  expect(again.stderr).toContain("it is being reviewed again");
  const rereviewed = await reviewed(c, opened.number, first.review!.policyHash);
  expect(rereviewed.classification?.tier).toBe("high");
  expect(rereviewed.classification?.reasons.map((r) => r.rule)).toContain("protected_path");
  const refused = cliAs(c, "carol", ["pr", "merge", String(opened.number)]);
  expect(refused.exitCode).toBe(1);
  expect(refused.stdout).toContain("an approved RFC");
  expect(git(c, ["rev-parse", "main"])).toBe(protectedBase);
  expect((await c.client.call(routes.getPr, { params: { number: opened.number } })).pr.state).toBe("open");
}, 120_000);

test("a change is made on a commit of its base branch, its checks are the committed config's, and people decide without credentials", async () => {
  const c = await start();
  const base = git(c, ["rev-parse", "main"]);
  // A commit that is not on main (think: a rejected PR's head): a change "made on" it would hide it from the review.
  const side = git(c, ["commit-tree", "-p", "main", "-m", "not on main", git(c, ["rev-parse", "main^{tree}"])]);
  const hidden = { kind: "run", input: { title: "tiny", command: "echo x >> src/a.txt", scope: ["src/**"], baseBranch: "main", baseCommit: side } };
  const refused = await refusal(c.client.call(routes.enqueueJob, { body: hidden }));
  expect(refused).toMatchObject({ code: "invalid_input" });
  expect(refused.message).toContain(`${side.slice(0, 12)} is not on main`);

  // Checks of the request's choosing (none at all) count for nothing: the committed config's run, and fail here.
  await Bun.write(`${c.root}/.pushpals/config.toml`, `[checks]\ncommands = [{ name = "strict", run = "test ! -f src/evil.txt" }]\n`);
  git(c, ["add", ".pushpals/config.toml"]);
  git(c, ["-c", "user.name=m", "-c", "user.email=m@example.com", "commit", "-q", "-m", "stricter checks"]);
  const head = git(c, ["rev-parse", "main"]);
  const lax = { kind: "run", input: { title: "lax", command: "echo x >> src/evil.txt", scope: ["src/**"], baseBranch: "main", baseCommit: head, checks: { commands: [] } } };
  const queued = await c.client.call(routes.enqueueJob, { body: lax });
  const ended = await c.waitForJob(queued.job.id, (j) => j.state === "failed" || j.state === "succeeded", 60_000);
  expect(ended.state).toBe("failed");
  expect(ended.failure).toMatchObject({ class: "checks_failed", evidence: { command: "test ! -f src/evil.txt" } });
  expect((await c.client.call(routes.listPrs, { query: {} })).prs).toEqual([]);

  // A credential minted by hand is still its holder: it neither decides nor makes the holder's change someone else's.
  const { credential } = await c.client.call(routes.issueCredential, { body: { role: "worker", name: "mine" } });
  const minted = new ApiClient({ socket: c.paths.socket });
  minted.useCredential(credential);
  const asWorker = await minted.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
  expect(asWorker.job.createdBy).toMatch(/^os:/);
  const opened = run(c, ["--scope", "src/**", "--", "echo y >> src/b.txt"]);
  const pr = await reviewed(c, opened.number);
  const decided = await refusal(minted.call(routes.approvePr, { params: { number: pr.number }, body: { head: pr.headSha } }));
  expect(decided).toMatchObject({ code: "forbidden" });
  expect((await c.client.call(routes.getPr, { params: { number: pr.number } })).pr.approvals).toEqual([]);
  expect(git(c, ["rev-parse", "main"])).toBe(head);
  expect(base).not.toBe(head);
}, 90_000);
