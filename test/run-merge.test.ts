import { afterAll, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster, type Proc } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";

// Each test has its own cluster and repository: the tests run concurrently, two at a time (a test is mostly
// one CLI call after another, each waiting on the cluster's processes).
const lane = lanes(2);
const started: Cluster[] = [];
// Where the holds of slow checks live (see `hold`): /var/tmp, which a command's sandbox shows read-only.
const holds = mkdtempSync("/var/tmp/pushpals-run-merge-");
afterAll(async () => {
  // A test that timed out never reached the end of its scope: its cluster goes here.
  await Promise.all(started.map((c) => c.stop()));
  rmSync(holds, { recursive: true, force: true });
});

/** A cluster of the test's own, stopped when the test's scope ends (`await using`). */
async function newCluster(options: Parameters<typeof Cluster.create>[0]): Promise<Cluster> {
  const c = await Cluster.create(options);
  started.push(c);
  return c;
}

const CONFIG = `
[checks]
commands = [{ name = "content", run = "test -f src/a.txt && ! grep -q BROKEN src/a.txt" }]
`;

function git(root: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function startCluster(env: Record<string, string> = {}): Promise<{ c: Cluster; scm: Proc } & AsyncDisposable> {
  const c = await newCluster({ configToml: CONFIG, files: { "src/a.txt": "one\n", "src/b.txt": "two\n", "docs/readme.md": "docs\n" } });
  await c.startServer();
  await c.startWorker("w1");
  const scm = await startScm(c, env);
  return { c, scm, [Symbol.asyncDispose]: () => c.stop() };
}

async function startScm(c: Cluster, env: Record<string, string> = {}): Promise<Proc> {
  return (await c.startAgents(env)).scm;
}

async function pr(c: Cluster, number: number): Promise<PullRequest> {
  return (await c.client.call(routes.getPr, { params: { number } })).pr;
}

async function openPr(c: Cluster, scope: string, command: string): Promise<PullRequest> {
  const r = await c.cliAsync(["run", "--json", "--scope", scope, "--title", `change ${scope}`, "--", command]);
  expect(r.stderr).toBe("");
  const out = JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
  expect(out.job.state).toBe("succeeded");
  expect(r.exitCode).toBe(0);
  return out.pr!;
}

function leftoverWorktrees(c: Cluster): string[] {
  const listed = git(c.root, ["worktree", "list", "--porcelain"]).split("\n").filter((l) => l.startsWith("worktree "));
  const dirs = existsSync(c.paths.worktreesDir) ? readdirSync(c.paths.worktreesDir) : [];
  return [...listed.slice(1), ...dirs];
}

test.concurrent("run then merge: a scoped, checked PR lands as exactly the checked commit; the user's checkout is byte-identical", () => lane(async () => {
  await using cl = await startCluster();
  const { c } = cl;
  // The user is mid-work on the base branch: a modified tracked file, a staged file and an untracked one.
  writeFileSync(join(c.root, "README.md"), "# my local edit\n");
  writeFileSync(join(c.root, "staged.txt"), "staged\n");
  git(c.root, ["add", "staged.txt"]);
  writeFileSync(join(c.root, "untracked.txt"), "mine\n");
  const before = () => ({
    index: readFileSync(join(c.root, ".git", "index")),
    files: ["README.md", "staged.txt", "untracked.txt", "src/a.txt"].map((f) => readFileSync(join(c.root, f), "utf8")),
    status: git(c.root, ["status", "--porcelain"]),
  });
  const snapshot = before();
  const base = git(c.root, ["rev-parse", "main"]);

  const opened = await openPr(c, "src/**", "echo three >> src/a.txt && mv src/b.txt src/c.txt && echo new > src/new.txt");
  expect(opened.number).toBe(1);
  expect(opened.state).toBe("open");
  expect(opened.baseSha).toBe(base);
  expect(opened.checks).toMatchObject({ state: "passed", sha: opened.headSha });
  expect(opened.files.map((f) => f.path).sort()).toEqual(["src/a.txt", "src/c.txt", "src/new.txt"]);
  expect(git(c.root, ["rev-parse", `refs/heads/${opened.headBranch}`])).toBe(opened.headSha);
  const message = git(c.root, ["log", "-1", "--format=%an <%ae>%n%B", opened.headSha]);
  expect(message).toContain("PushPals-Job: ");
  expect(message).toContain("PushPals-Risk: low");
  expect(git(c.root, ["rev-parse", "main"])).toBe(base);

  const show = await c.cliAsync(["pr", "1", "--diff"]);
  expect(show.exitCode).toBe(0);
  expect(show.stdout).toContain("+three");
  expect(show.stdout).toContain("checks     passed");

  const merged = await c.cliAsync(["pr", "merge", "1"]);
  expect(merged.stderr).toBe("");
  expect(merged.exitCode).toBe(0);
  expect(merged.stdout).toContain("merged PR #1 into main");
  expect(merged.stdout).toContain(`read-tree -m -u ${base}`);
  expect(merged.stdout).toContain("whose checks passed with the configured commands: not run again");
  const after = await pr(c, 1);
  expect(after.state).toBe("merged");
  // Nothing moved under the PR since it was made: main fast-forwards to the exact commit that was checked.
  expect(after.merge).toMatchObject({ mergedSha: opened.headSha, previousBaseSha: base, rebased: false });
  expect(git(c.root, ["rev-parse", "main"])).toBe(opened.headSha);

  // Files, index and uncommitted work of the user's checkout are untouched.
  const now = before();
  expect(now.index.equals(snapshot.index)).toBe(true);
  expect(now.files).toEqual(snapshot.files);
  expect(leftoverWorktrees(c)).toEqual([]);
  const verify = await c.cliAsync(["audit", "verify", "--json"]);
  expect(JSON.parse(verify.stdout).ok).toBe(true);
  const exported = (await c.cliAsync(["audit", "export"])).stdout;
  for (const action of ["pr.opened", "pr.merged", "command.ran"]) expect(exported).toContain(`"action":"${action}"`);
}), lane.queuedTimeout(60_000));

test.concurrent("a change outside the write scope is refused with policy_denied, nothing is committed and no PR opens", () => lane(async () => {
  await using cl = await startCluster();
  const { c } = cl;
  const r = await c.cliAsync(["run", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt && echo y > docs/readme.md"]);
  expect(r.exitCode).toBe(1);
  const out = JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
  expect(out.job.state).toBe("failed");
  expect(out.job.failure?.class).toBe("policy_denied");
  expect(JSON.stringify(out.job.failure)).toContain("docs/readme.md");
  expect(out.pr).toBeNull();
  expect(git(c.root, ["branch", "--list", "pushpals/*"])).toBe("");
  expect(leftoverWorktrees(c)).toEqual([]);
}), lane.queuedTimeout(60_000));

test.concurrent("two PRs merged at once both land in sequence; a third that conflicts ends `conflict` naming the file", () => lane(async () => {
  await using cl = await startCluster();
  const { c } = cl;
  const first = await openPr(c, "src/a.txt", "echo A >> src/a.txt");
  const second = await openPr(c, "src/b.txt", "echo B >> src/b.txt");
  const third = await openPr(c, "src/a.txt", "echo C >> src/a.txt");
  const m1 = await c.cliAsync(["pr", "merge", String(first.number), "--no-wait", "--json"]);
  const m2 = await c.cliAsync(["pr", "merge", String(second.number), "--no-wait", "--json"]);
  const jobs = [JSON.parse(m1.stdout).job as Job, JSON.parse(m2.stdout).job as Job];
  for (const job of jobs) await c.waitForJob(job.id, (j) => j.state === "succeeded", 30_000);
  const head = git(c.root, ["rev-parse", "main"]);
  const content = (path: string) => git(c.root, ["show", `${head}:${path}`]);
  expect(content("src/a.txt")).toBe("one\nA");
  expect(content("src/b.txt")).toBe("two\nB");
  // Both commits are on main, one on top of the other: nothing was lost.
  expect(git(c.root, ["rev-list", "--count", head])).toBe("3");

  const m3 = await c.cliAsync(["pr", "merge", String(third.number)]);
  expect(m3.exitCode).toBe(1);
  expect(m3.stdout).toContain("conflict");
  expect(m3.stdout).toContain("src/a.txt");
  expect(git(c.root, ["rev-parse", "main"])).toBe(head);
  const p3 = await pr(c, third.number);
  expect(p3.state).toBe("open");
  expect(p3.lastMergeFailure).toContain("conflict");
  expect(leftoverWorktrees(c)).toEqual([]);
}), lane.queuedTimeout(90_000));

/** A commit on main by someone else (same tree): a merge after it is a rebase, not a fast-forward. */
function advanceMain(c: Cluster, message: string): string {
  const moved = git(c.root, ["commit-tree", "-p", "main", "-m", message, git(c.root, ["rev-parse", "main^{tree}"])]);
  git(c.root, ["update-ref", "refs/heads/main", moved]);
  return moved;
}

/**
 * A slow check the test controls: `run` waits while the hold is set, so the test acts (moves the base,
 * pauses) while the check is running, for certain, and lets it finish when it is done (not a fixed sleep,
 * which a slow machine could outrun or a fast one make wasteful). Unset, the check passes at once.
 */
function hold(name: string): { run: string; set(): void; release(): void } {
  const file = join(holds, name);
  // A sandbox that could not see the hold would let the command run through: it fails instead.
  return { run: `test -d ${holds} || exit 97; while [ -e ${file} ]; do sleep 0.05; done`, set: () => writeFileSync(file, ""), release: () => rmSync(file, { force: true }) };
}

async function waitForLog(c: Cluster, jobId: string, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const data = await c.client.call(routes.jobLogs, { params: { id: jobId }, query: { limit: 5000 } });
    if (data.lines.some((l) => pattern.test(l.line))) return;
    if (Date.now() > deadline) throw new Error(`no log line ${pattern} in ${jobId}`);
    await Bun.sleep(25);
  }
}

test.concurrent("a base that moves during the checks is detected: the PR is rebased and checked again on the new commit", () => lane(async () => {
  const slow = hold("base-moves");
  await using c = await newCluster({
    configToml: `[checks]\ncommands = [{ name = "slow", run = "${slow.run} && test -f src/a.txt" }]\n`,
    files: { "src/a.txt": "one\n", "other.txt": "x\n" },
  });
  await c.startServer();
  await c.startWorker("w1");
  await startScm(c);
  const opened = await openPr(c, "src/**", "echo more >> src/a.txt");
  // main moves on once before the merge, so the merge is a rebase whose checks really run.
  advanceMain(c, "an earlier human commit");
  slow.set();
  const data = await c.client.call(routes.mergePr, { params: { number: opened.number }, body: { head: opened.headSha } });
  await waitForLog(c, data.job.id, /checking the exact merge candidate/);
  // Someone else lands a commit on main while the checks run.
  const tree = git(c.root, ["write-tree"]);
  const moved = git(c.root, ["commit-tree", "-p", "main", "-m", "a human commit", tree]);
  git(c.root, ["update-ref", "refs/heads/main", moved]);
  slow.release();
  await c.waitForJob(data.job.id, (j) => j.state === "succeeded", 30_000);
  await waitForLog(c, data.job.id, /moved from .* during the checks; starting over/);
  const merged = await pr(c, opened.number);
  expect(merged.state).toBe("merged");
  expect(merged.merge!.rebased).toBe(true);
  expect(merged.merge!.checks.sha).toBe(merged.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", "main"])).toBe(merged.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", `${merged.merge!.mergedSha}^`])).toBe(moved);
}), lane.queuedTimeout(60_000));

for (const point of ["merge.before-update-ref", "merge.after-update-ref"]) {
  test.concurrent(`kill -9 of the SourceControlManager at ${point}: the base is old or exactly the checked commit, and the PR agrees`, () => lane(async () => {
    await using cl = await startCluster({ PUSHPALS_FAILPOINT: point });
    const { c, scm } = cl;
    const opened = await openPr(c, "src/**", "echo more >> src/a.txt");
    const base = git(c.root, ["rev-parse", "main"]);
    // Make the PR need a rebase, so the candidate is a new commit.
    git(c.root, ["update-ref", "refs/heads/main", git(c.root, ["commit-tree", "-p", "main", "-m", "other work", git(c.root, ["write-tree"])]), base]);
    const m = await c.cliAsync(["pr", "merge", String(opened.number), "--no-wait", "--json"]);
    const job = JSON.parse(m.stdout).job as Job;
    await scm.waitForOutput(new RegExp(`failpoint ${point} reached`));
    const atCrash = git(c.root, ["rev-parse", "main"]);
    scm.proc.kill("SIGKILL");
    await scm.proc.exited;
    const candidate = ((await c.job(job.id)).job.progress as { candidate: string }).candidate;
    expect(atCrash).toBe(point === "merge.before-update-ref" ? git(c.root, ["rev-parse", "main"]) : candidate);
    await startScm(c);
    const final = await c.waitForJob(job.id, (j) => j.state === "succeeded" || j.state === "failed", 30_000);
    expect(final.state).toBe("succeeded");
    const merged = await pr(c, opened.number);
    expect(merged.state).toBe("merged");
    expect(git(c.root, ["rev-parse", "main"])).toBe(merged.merge!.mergedSha);
    expect(merged.merge!.checks.sha).toBe(merged.merge!.mergedSha);
    if (point === "merge.after-update-ref") expect(merged.merge!.mergedSha).toBe(candidate);
    expect(leftoverWorktrees(c)).toEqual([]);
  }), lane.queuedTimeout(60_000));
}

test.concurrent("the PR API refuses bad numbers and unknown PRs with 4xx, and a merged PR cannot be closed", () => lane(async () => {
  await using cl = await startCluster();
  const { c } = cl;
  const info = JSON.parse(readFileSync(c.paths.serverFile, "utf8")) as { url: string };
  for (const path of ["/prs/0", "/prs/abc", "/prs/1%2F..", "/prs/-1", "/prs/99999999999"]) {
    expect((await fetch(`${info.url}${path}`)).status).toBe(400);
  }
  expect((await fetch(`${info.url}/prs/42`)).status).toBe(404);
  expect((await fetch(`${info.url}/prs?state=weird`)).status).toBe(400);
  const opened = await openPr(c, "src/**", "echo more >> src/a.txt");
  expect((await c.cliAsync(["pr", "merge", String(opened.number)])).exitCode).toBe(0);
  const close = await c.cliAsync(["pr", "close", String(opened.number)]);
  expect(close.exitCode).toBe(5);
  expect(close.stderr).toContain("already merged");
  const again = await c.cliAsync(["pr", "merge", String(opened.number)]);
  expect(again.exitCode).toBe(5);
  expect(again.stderr).toContain("is merged");
}), lane.queuedTimeout(60_000));

test.concurrent("pause stops a merge before it moves the base and claims nothing more; resume finishes it without loss", () => lane(async () => {
  const slow = hold("pause-merge");
  await using c = await newCluster({
    configToml: `[checks]\ncommands = [{ name = "slow", run = "${slow.run} && test -f src/a.txt" }]\n`,
    files: { "src/a.txt": "one\n" },
  });
  await c.startServer();
  await c.startWorker("w1");
  await startScm(c);
  const opened = await openPr(c, "src/**", "echo more >> src/a.txt");
  advanceMain(c, "a human commit");
  const base = git(c.root, ["rev-parse", "main"]);
  slow.set();
  const data = await c.client.call(routes.mergePr, { params: { number: opened.number }, body: { head: opened.headSha } });
  await waitForLog(c, data.job.id, /checking the exact merge candidate/);
  const paused = await c.cliAsync(["pause", "--why", "release freeze"]);
  expect(paused.exitCode).toBe(0);
  slow.release();
  // The merge finishes its checks, sees the pause, and goes back to the queue with the base untouched.
  await c.waitForJob(data.job.id, (j) => j.state === "queued", 30_000);
  expect(git(c.root, ["rev-parse", "main"])).toBe(base);
  const status = await c.cliAsync(["status"]);
  expect(status.stdout).toContain("PAUSED");
  expect(status.stdout).toContain("release freeze");

  expect((await c.cliAsync(["resume"])).exitCode).toBe(0);
  await c.waitForJob(data.job.id, (j) => j.state === "succeeded", 30_000);
  const merged = await pr(c, opened.number);
  expect(merged.state).toBe("merged");
  // The rebased head, checked once more after the pause, is what main holds now.
  expect(git(c.root, ["rev-parse", "main"])).toBe(merged.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", "main^"])).toBe(base);
  // Claimed once before the pause and once after it: never while paused (the idle SCM would have).
  const { transitions } = await c.job(data.job.id);
  expect(transitions.filter((t) => t.to === "running")).toHaveLength(2);
  expect((await c.job(data.job.id)).job.attempt).toBe(1);
  const audit = (await c.cliAsync(["audit", "export"])).stdout;
  expect(audit).toContain('"action":"control.paused"');
  expect(audit).toContain('"action":"control.resumed"');
}), lane.queuedTimeout(60_000));

test.concurrent("pause parks a running checks job after its current command; resume runs it again to the end", () => lane(async () => {
  const slow = hold("pause-checks");
  await using c = await newCluster({ files: { "src/a.txt": "one\n" } });
  await c.startServer();
  await c.startWorker("w1");
  const commit = git(c.root, ["rev-parse", "HEAD"]);
  slow.set();
  const job = await c.enqueue("checks", { commit, commands: [{ name: "first", run: slow.run }, { name: "second", run: "true" }] });
  await waitForLog(c, job.id, /# first \(1\/2\)/);
  expect((await c.cliAsync(["pause"])).exitCode).toBe(0);
  slow.release();
  await c.waitForJob(job.id, (j) => j.state === "queued", 30_000);
  const data = await c.client.call(routes.jobLogs, { params: { id: job.id }, query: { limit: 5000 } });
  expect(data.lines.some((l) => l.line.includes("second (2/2)"))).toBe(false);
  expect((await c.cliAsync(["resume"])).exitCode).toBe(0);
  const done = await c.waitForJob(job.id, (j) => j.state === "succeeded", 30_000);
  expect(done.attempt).toBe(1);
}), lane.queuedTimeout(60_000));

test.concurrent("a PR with a queued merge cannot be closed, and a closed PR never merges", () => lane(async () => {
  await using cl = await startCluster();
  const { c } = cl;
  const opened = await openPr(c, "src/**", "echo more >> src/a.txt");
  expect((await c.cliAsync(["pause"])).exitCode).toBe(0);
  const queued = JSON.parse((await c.cliAsync(["pr", "merge", String(opened.number), "--no-wait", "--json"])).stdout) as { job: Job };
  const close = await c.cliAsync(["pr", "close", String(opened.number)]);
  expect(close.exitCode).toBe(5);
  expect(close.stderr).toContain("is being merged");
  expect((await c.cliAsync(["cancel", queued.job.id])).exitCode).toBe(0);
  expect((await c.cliAsync(["pr", "close", String(opened.number)])).exitCode).toBe(0);
  expect((await c.cliAsync(["resume"])).exitCode).toBe(0);
  const gate = await c.client.call(routes.prGate, { params: { number: opened.number } });
  expect(gate.ok).toBe(false);
  expect(gate.missing[0]).toContain("is closed");
  expect(git(c.root, ["rev-parse", "main"])).toBe(opened.baseSha);
}), lane.queuedTimeout(60_000));
