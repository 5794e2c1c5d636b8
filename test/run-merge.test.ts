import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster, type Proc } from "./helpers/cluster.ts";

let cluster: Cluster | null = null;

afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

const CONFIG = `
[checks]
commands = [{ name = "content", run = "test -f src/a.txt && ! grep -q BROKEN src/a.txt" }]
`;

function git(root: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

async function startCluster(env: Record<string, string> = {}): Promise<{ c: Cluster; scm: Proc }> {
  const c = await Cluster.create({ configToml: CONFIG, files: { "src/a.txt": "one\n", "src/b.txt": "two\n", "docs/readme.md": "docs\n" } });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  const scm = await startScm(c, env);
  return { c, scm };
}

async function startScm(c: Cluster, env: Record<string, string> = {}): Promise<Proc> {
  return (await c.startAgents(env)).scm;
}

async function pr(c: Cluster, number: number): Promise<PullRequest> {
  return (await c.client.call(routes.getPr, { params: { number } })).pr;
}

function openPr(c: Cluster, scope: string, command: string): PullRequest {
  const r = c.cli(["run", "--json", "--scope", scope, "--title", `change ${scope}`, "--", command]);
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

test("run then merge: a scoped, checked PR lands as exactly the checked commit; the user's checkout is byte-identical", async () => {
  const { c } = await startCluster();
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

  const opened = openPr(c, "src/**", "echo three >> src/a.txt && mv src/b.txt src/c.txt && echo new > src/new.txt");
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

  const show = c.cli(["pr", "1", "--diff"]);
  expect(show.exitCode).toBe(0);
  expect(show.stdout).toContain("+three");
  expect(show.stdout).toContain("checks     passed");

  const merged = c.cli(["pr", "merge", "1"]);
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
  const verify = c.cli(["audit", "verify", "--json"]);
  expect(JSON.parse(verify.stdout).ok).toBe(true);
  const exported = c.cli(["audit", "export"]).stdout;
  for (const action of ["pr.opened", "pr.merged", "command.ran"]) expect(exported).toContain(`"action":"${action}"`);
}, 60_000);

test("a change outside the write scope is refused with policy_denied, nothing is committed and no PR opens", async () => {
  const { c } = await startCluster();
  const r = c.cli(["run", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt && echo y > docs/readme.md"]);
  expect(r.exitCode).toBe(1);
  const out = JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
  expect(out.job.state).toBe("failed");
  expect(out.job.failure?.class).toBe("policy_denied");
  expect(JSON.stringify(out.job.failure)).toContain("docs/readme.md");
  expect(out.pr).toBeNull();
  expect(git(c.root, ["branch", "--list", "pushpals/*"])).toBe("");
  expect(leftoverWorktrees(c)).toEqual([]);
}, 60_000);

test("two PRs merged at once both land in sequence; a third that conflicts ends `conflict` naming the file", async () => {
  const { c } = await startCluster();
  const first = openPr(c, "src/a.txt", "echo A >> src/a.txt");
  const second = openPr(c, "src/b.txt", "echo B >> src/b.txt");
  const third = openPr(c, "src/a.txt", "echo C >> src/a.txt");
  const m1 = c.cli(["pr", "merge", String(first.number), "--no-wait", "--json"]);
  const m2 = c.cli(["pr", "merge", String(second.number), "--no-wait", "--json"]);
  const jobs = [JSON.parse(m1.stdout).job as Job, JSON.parse(m2.stdout).job as Job];
  for (const job of jobs) await c.waitForJob(job.id, (j) => j.state === "succeeded", 30_000);
  const head = git(c.root, ["rev-parse", "main"]);
  const content = (path: string) => git(c.root, ["show", `${head}:${path}`]);
  expect(content("src/a.txt")).toBe("one\nA");
  expect(content("src/b.txt")).toBe("two\nB");
  // Both commits are on main, one on top of the other: nothing was lost.
  expect(git(c.root, ["rev-list", "--count", head])).toBe("3");

  const m3 = c.cli(["pr", "merge", String(third.number)]);
  expect(m3.exitCode).toBe(1);
  expect(m3.stdout).toContain("conflict");
  expect(m3.stdout).toContain("src/a.txt");
  expect(git(c.root, ["rev-parse", "main"])).toBe(head);
  const p3 = await pr(c, third.number);
  expect(p3.state).toBe("open");
  expect(p3.lastMergeFailure).toContain("conflict");
  expect(leftoverWorktrees(c)).toEqual([]);
}, 90_000);

/** A commit on main by someone else (same tree): a merge after it is a rebase, not a fast-forward. */
function advanceMain(c: Cluster, message: string): string {
  const moved = git(c.root, ["commit-tree", "-p", "main", "-m", message, git(c.root, ["rev-parse", "main^{tree}"])]);
  git(c.root, ["update-ref", "refs/heads/main", moved]);
  return moved;
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

test("a base that moves during the checks is detected: the PR is rebased and checked again on the new commit", async () => {
  const c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "slow", run = "sleep 1 && test -f src/a.txt" }]\n`,
    files: { "src/a.txt": "one\n", "other.txt": "x\n" },
  });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await startScm(c);
  const opened = openPr(c, "src/**", "echo more >> src/a.txt");
  // main moves on once before the merge, so the merge is a rebase whose checks really run.
  advanceMain(c, "an earlier human commit");
  const data = await c.client.call(routes.mergePr, { params: { number: opened.number }, body: { head: opened.headSha } });
  await waitForLog(c, data.job.id, /checking the exact merge candidate/);
  // Someone else lands a commit on main while the checks run.
  const tree = git(c.root, ["write-tree"]);
  const moved = git(c.root, ["commit-tree", "-p", "main", "-m", "a human commit", tree]);
  git(c.root, ["update-ref", "refs/heads/main", moved]);
  await c.waitForJob(data.job.id, (j) => j.state === "succeeded", 30_000);
  await waitForLog(c, data.job.id, /moved from .* during the checks; starting over/);
  const merged = await pr(c, opened.number);
  expect(merged.state).toBe("merged");
  expect(merged.merge!.rebased).toBe(true);
  expect(merged.merge!.checks.sha).toBe(merged.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", "main"])).toBe(merged.merge!.mergedSha);
  expect(git(c.root, ["rev-parse", `${merged.merge!.mergedSha}^`])).toBe(moved);
}, 60_000);

for (const point of ["merge.before-update-ref", "merge.after-update-ref"]) {
  test(`kill -9 of the SourceControlManager at ${point}: the base is old or exactly the checked commit, and the PR agrees`, async () => {
    const { c, scm } = await startCluster({ PUSHPALS_FAILPOINT: point });
    const opened = openPr(c, "src/**", "echo more >> src/a.txt");
    const base = git(c.root, ["rev-parse", "main"]);
    // Make the PR need a rebase, so the candidate is a new commit.
    git(c.root, ["update-ref", "refs/heads/main", git(c.root, ["commit-tree", "-p", "main", "-m", "other work", git(c.root, ["write-tree"])]), base]);
    const m = c.cli(["pr", "merge", String(opened.number), "--no-wait", "--json"]);
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
  }, 60_000);
}

test("the PR API refuses bad numbers and unknown PRs with 4xx, and a merged PR cannot be closed", async () => {
  const { c } = await startCluster();
  const info = JSON.parse(readFileSync(c.paths.serverFile, "utf8")) as { url: string };
  for (const path of ["/prs/0", "/prs/abc", "/prs/1%2F..", "/prs/-1", "/prs/99999999999"]) {
    expect((await fetch(`${info.url}${path}`)).status).toBe(400);
  }
  expect((await fetch(`${info.url}/prs/42`)).status).toBe(404);
  expect((await fetch(`${info.url}/prs?state=weird`)).status).toBe(400);
  const opened = openPr(c, "src/**", "echo more >> src/a.txt");
  expect(c.cli(["pr", "merge", String(opened.number)]).exitCode).toBe(0);
  const close = c.cli(["pr", "close", String(opened.number)]);
  expect(close.exitCode).toBe(5);
  expect(close.stderr).toContain("already merged");
  const again = c.cli(["pr", "merge", String(opened.number)]);
  expect(again.exitCode).toBe(5);
  expect(again.stderr).toContain("is merged");
}, 60_000);

test("pause stops a merge before it moves the base and claims nothing more; resume finishes it without loss", async () => {
  const c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "slow", run = "sleep 1 && test -f src/a.txt" }]\n`,
    files: { "src/a.txt": "one\n" },
  });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await startScm(c);
  const opened = openPr(c, "src/**", "echo more >> src/a.txt");
  advanceMain(c, "a human commit");
  const base = git(c.root, ["rev-parse", "main"]);
  const data = await c.client.call(routes.mergePr, { params: { number: opened.number }, body: { head: opened.headSha } });
  await waitForLog(c, data.job.id, /checking the exact merge candidate/);
  const paused = c.cli(["pause", "--why", "release freeze"]);
  expect(paused.exitCode).toBe(0);
  // The merge finishes its checks, sees the pause, and goes back to the queue with the base untouched.
  await c.waitForJob(data.job.id, (j) => j.state === "queued", 30_000);
  expect(git(c.root, ["rev-parse", "main"])).toBe(base);
  const status = c.cli(["status"]);
  expect(status.stdout).toContain("PAUSED");
  expect(status.stdout).toContain("release freeze");

  expect(c.cli(["resume"]).exitCode).toBe(0);
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
  const audit = c.cli(["audit", "export"]).stdout;
  expect(audit).toContain('"action":"control.paused"');
  expect(audit).toContain('"action":"control.resumed"');
}, 60_000);

test("pause parks a running checks job after its current command; resume runs it again to the end", async () => {
  const c = await Cluster.create({ files: { "src/a.txt": "one\n" } });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  const commit = git(c.root, ["rev-parse", "HEAD"]);
  const job = await c.enqueue("checks", { commit, commands: [{ name: "first", run: "sleep 1" }, { name: "second", run: "true" }] });
  await waitForLog(c, job.id, /# first \(1\/2\)/);
  expect(c.cli(["pause"]).exitCode).toBe(0);
  await c.waitForJob(job.id, (j) => j.state === "queued", 30_000);
  const data = await c.client.call(routes.jobLogs, { params: { id: job.id }, query: { limit: 5000 } });
  expect(data.lines.some((l) => l.line.includes("second (2/2)"))).toBe(false);
  expect(c.cli(["resume"]).exitCode).toBe(0);
  const done = await c.waitForJob(job.id, (j) => j.state === "succeeded", 30_000);
  expect(done.attempt).toBe(1);
}, 60_000);

test("a PR with a queued merge cannot be closed, and a closed PR never merges", async () => {
  const { c } = await startCluster();
  const opened = openPr(c, "src/**", "echo more >> src/a.txt");
  expect(c.cli(["pause"]).exitCode).toBe(0);
  const queued = JSON.parse(c.cli(["pr", "merge", String(opened.number), "--no-wait", "--json"]).stdout) as { job: Job };
  const close = c.cli(["pr", "close", String(opened.number)]);
  expect(close.exitCode).toBe(5);
  expect(close.stderr).toContain("is being merged");
  expect(c.cli(["cancel", queued.job.id]).exitCode).toBe(0);
  expect(c.cli(["pr", "close", String(opened.number)]).exitCode).toBe(0);
  expect(c.cli(["resume"]).exitCode).toBe(0);
  const gate = await c.client.call(routes.prGate, { params: { number: opened.number } });
  expect(gate.ok).toBe(false);
  expect(gate.missing[0]).toContain("is closed");
  expect(git(c.root, ["rev-parse", "main"])).toBe(opened.baseSha);
}, 60_000);
