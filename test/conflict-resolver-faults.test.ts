import { afterAll, afterEach, beforeEach, describe, expect, test } from "bun:test";
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../src/api/routes.ts";
import { PushpalsError } from "../src/core/errors.ts";
import { Bus } from "../src/events/bus.ts";
import type { PushpalsEvent } from "../src/events/registry.ts";
import { JobService } from "../src/jobs/job-service.ts";
import type { LeaseRef } from "../src/jobs/job-service-types.ts";
import { applyKindEffects } from "../src/kinds/effects.ts";
import { parseJobInput } from "../src/kinds/registry.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import { DEFAULT_POLICY } from "../src/policy/policy-defaults.ts";
import { mergeGate } from "../src/prs/merge-gate.ts";
import { PrService } from "../src/prs/pr-service.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";
import { Cluster, spawnPushpals, type Proc } from "./helpers/cluster.ts";
import { lanes } from "./helpers/lanes.ts";

/**
 * The Conflict Resolver under faults (issue #18): a resolution a person recorded once is reused by
 * rerere; a WorkerPal killed -9 around the PR branch's compare-and-swap leaves the PR at its old head
 * or at a checked resolution, never between, and the retried job finishes it; and a resolved PR's new
 * head needs its own approval where its tier needs one.
 */

const CHANGELOG = "# Changelog\n\n## Unreleased\n\n## 1.0.0\n\n- first\n";
const CONFIG = ['[repo]', 'base_branch = "main"', "", "[jobs]", "lease_seconds = 2", "", "[[checks.commands]]", 'name = "ok"', 'run = "true"', ""].join("\n");

// The end-to-end tests run concurrently, two at a time (they mostly wait: on leases running out, on the
// PR conflict sweep, on the dispatch), each with a cluster of its own: c() is the cluster of the test that
// calls it (its scope is an async context of its own), stopped when that test ends.
const lane = lanes(2);
const scope = new AsyncLocalStorage<{ cluster: Cluster | null }>();
const started: Cluster[] = [];
// A test that timed out never reached the end of its scope: its cluster goes here.
afterAll(() => Promise.all(started.map((cl) => cl.stop())));

function endToEnd(body: () => Promise<void>): () => Promise<void> {
  return () =>
    lane(() => {
      const own: { cluster: Cluster | null } = { cluster: null };
      return scope.run(own, async () => {
        try {
          await body();
        } finally {
          await own.cluster?.stop();
        }
      });
    });
}

/** The test's cluster, from now on. */
async function useCluster(options: Parameters<typeof Cluster.create>[0]): Promise<void> {
  const own = scope.getStore();
  if (!own) throw new Error("not in an end-to-end test");
  own.cluster = await Cluster.create(options);
  started.push(own.cluster);
}

function c(): Cluster {
  const cluster = scope.getStore()?.cluster;
  if (!cluster) throw new Error("no cluster");
  return cluster;
}

function gitIn(args: string[], options: { allowFailure?: boolean } = {}): { exitCode: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync(["git", ...args], { cwd: c().root, stdout: "pipe", stderr: "pipe" });
  const out = { exitCode: r.exitCode ?? -1, stdout: r.stdout.toString().trim(), stderr: r.stderr.toString() };
  if (out.exitCode !== 0 && !options.allowFailure) throw new Error(`git ${args.join(" ")}: ${out.stderr}`);
  return out;
}

const git = (args: string[]) => gitIn(args).stdout;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${c().cli(["jobs"]).stdout}\n${c().procs.map((p) => p.output()).join("\n---\n").slice(-6000)}`);
    await Bun.sleep(100);
  }
}

async function pr(n: number): Promise<PullRequest> {
  return (await c().client.call(routes.getPr, { params: { number: n } })).pr;
}

async function items(): Promise<WorkItem[]> {
  return (await c().client.call(routes.listWorkItems, { query: { all: "1" } })).items;
}

/** A PR made by a codemod run on the base's head now. */
function run(title: string, command: string, scope: string): PullRequest {
  const r = c().cli(["run", "--json", "--scope", scope, "--title", title, "--", command]);
  const out = JSON.parse(r.stdout) as { pr: PullRequest | null };
  if (!out.pr) throw new Error(`${title}: no PR\n${r.stdout}\n${r.stderr}`);
  return out.pr;
}

/** A person's commit on main, in their own checkout (which is on main). */
function commitOnMain(path: string, content: string, message: string): string {
  writeFileSync(join(c().root, path), content);
  git(["commit", "-q", "-am", message]);
  return git(["rev-parse", "main"]);
}

function parents(commit: string): string[] {
  return git(["rev-list", "--parents", "-n", "1", commit]).split(" ").slice(1);
}

function kept(): string[] {
  return git(["for-each-ref", "--format=%(objectname)", "refs/pushpals/kept/"]).split("\n").filter(Boolean);
}

async function jobLines(id: string): Promise<string[]> {
  return (await c().client.call(routes.jobLogs, { params: { id }, query: { limit: 5000 } })).lines.map((l) => l.line);
}

async function resolveJobs(): Promise<Job[]> {
  return (await c().client.call(routes.listJobs, { query: { kind: "resolve-conflict" } })).jobs;
}

async function startWorker(name: string, env: Record<string, string> = {}): Promise<Proc> {
  const worker = spawnPushpals(["worker", "--name", name], c().root, { ...c().env, ...env });
  c().procs.push(worker);
  await worker.waitForOutput(/registered wrk_/);
  return worker;
}

describe("the Conflict Resolver, end to end", () => {
  test.concurrent("a conflict resolved once by a person is reused by rerere on the next PR", endToEnd(async () => {
    await useCluster({ configToml: CONFIG, files: { "src/a.txt": "one\ntwo\nthree\n" } });
    await c().startServer();
    await c().startWorker("w1");
    await c().startAgents();
    // No RemoteAgent yet: nothing is dispatched before the person has recorded their resolution.
    const x = run("two becomes mine", "sed -i 's/^two$/mine/' src/a.txt", "src/**");
    const base = commitOnMain("src/a.txt", "one\ntheirs\nthree\n", "two becomes theirs");

    // The person merges the base into the PR's head once, by hand, with rerere on, and goes back to main.
    const rerere = ["-c", "rerere.enabled=true"];
    git(["checkout", "-q", "-b", "person-resolves", x.headSha]);
    const merged = gitIn([...rerere, "merge", "--no-edit", "main"], { allowFailure: true });
    expect(merged.exitCode).toBe(1);
    expect(merged.stdout + merged.stderr).toContain("CONFLICT (content): Merge conflict in src/a.txt");
    const resolution = "one\nresolved by a person\nthree\n";
    writeFileSync(join(c().root, "src/a.txt"), resolution);
    git(["add", "src/a.txt"]);
    git([...rerere, "commit", "-q", "--no-edit"]);
    git(["checkout", "-q", "main"]);
    git(["branch", "-q", "-D", "person-resolves"]);
    const cache = join(c().root, ".git", "rr-cache");
    const recorded = readdirSync(cache);
    expect(recorded).toHaveLength(1);
    expect(existsSync(join(cache, recorded[0]!, "postimage"))).toBe(true);
    // The user's checkout is as it was: on main, clean, at the base.
    expect(git(["symbolic-ref", "--short", "HEAD"])).toBe("main");
    expect(git(["status", "--porcelain"])).toBe("");
    expect(git(["rev-parse", "HEAD"])).toBe(base);
    expect(readFileSync(join(c().root, "src/a.txt"), "utf8")).toBe("one\ntheirs\nthree\n");

    // The same line changed on both sides: no strategy resolves it, a merge ends `conflict`.
    await waitFor(`PR #${x.number} reviewed`, async () => {
      const p = await pr(x.number);
      return p.review?.headSha === p.headSha && p;
    });
    const m = c().cli(["pr", "merge", String(x.number), "--json"]);
    const failed = (JSON.parse(m.stdout) as { pr: PullRequest }).pr;
    expect(failed.lastMergeFailure).toStartWith("conflict:");
    expect(failed.lastMergeFailure).toContain("src/a.txt");
    expect(git(["rev-parse", "main"])).toBe(base);

    await c().startRemoteAgent();
    const resolved = await waitFor(`PR #${x.number} resolved`, async () => {
      const p = await pr(x.number);
      return p.headSha !== x.headSha && p;
    }, 120_000);
    expect(git(["show", `${resolved.headSha}:src/a.txt`])).toBe(resolution.trimEnd());
    expect(resolved.body).toContain("`src/a.txt`: rerere");
    expect(parents(resolved.headSha)).toEqual([x.headSha, base]);
    expect(resolved.baseSha).toBe(base);
    expect(resolved.lastMergeFailure).toBeNull();
    expect(resolved.checks).toMatchObject({ state: "passed", sha: resolved.headSha });
    expect(git(["rev-parse", `refs/heads/${resolved.headBranch}`])).toBe(resolved.headSha);
    const item = await waitFor("the conflict item done", async () => (await items()).find((i) => i.type === "pr_conflict" && i.title.startsWith(`PR #${x.number} `) && i.state === "done"));
    expect(item.detail.specialist).toBe("conflict-resolver");
    // One job resolved it (an item "done" with the PR still conflicting would be filed and dispatched again).
    expect((await resolveJobs()).map((j) => j.state)).toEqual(["succeeded"]);
    // Its diff against the new base is only its own change, as the person resolved it.
    expect(resolved.files.map((f) => f.path)).toEqual(["src/a.txt"]);
  }), lane.queuedTimeout(240_000));

  for (const point of ["resolve.after-advance", "resolve.before-advance"]) {
    test.concurrent(`kill -9 of the WorkerPal at ${point}: the PR is at its old head or at the checked resolved head, never between; the retry finishes it`, endToEnd(async () => {
      await useCluster({ configToml: CONFIG, files: { "CHANGELOG.md": CHANGELOG } });
      await c().startServer();
      const first = await startWorker("w1", { PUSHPALS_FAILPOINT: point });
      await c().startAgents();
      await c().startRemoteAgent();
      const mine = run("note two", "sed -i 's/^## Unreleased$/## Unreleased\\n\\n- entry two/' CHANGELOG.md", "CHANGELOG.md");
      const base = commitOnMain("CHANGELOG.md", CHANGELOG.replace("## Unreleased\n", "## Unreleased\n\n- entry one\n"), "note one");

      await first.waitForOutput(new RegExp(`failpoint ${point.replace(".", "\\.")} reached`), 120_000);
      const [job] = await resolveJobs();
      expect(job).toMatchObject({ state: "running", attempt: 1, input: { prNumber: mine.number, headSha: mine.headSha, baseCommit: base } });
      // The worker ships its log lines in batches: wait for the check's last line, sent while it stands at the failpoint.
      const lines = await waitFor("the check's exit in the job's log", async () => {
        const all = await jobLines(job!.id);
        return all.some((l) => /^ok: exit 0 in \d+ ms$/.test(l)) && all;
      }, 30_000);
      const branch = `refs/heads/${mine.headBranch}`;
      first.proc.kill("SIGKILL");
      await first.proc.exited;
      const atCrash = git(["rev-parse", branch]);
      const committed = lines.map((l) => l.match(/^committed the resolution as [0-9a-f]{12} \(refs\/pushpals\/kept\/[^/]+\/([0-9a-f]{40})\)/)?.[1]).filter(Boolean);
      expect(committed).toHaveLength(1);
      const candidate = committed[0]!;
      // The resolution was committed and checked before the failpoint: a merge of the base into the old head, green.
      expect(parents(candidate)).toEqual([mine.headSha, base]);
      expect(kept()).toContain(candidate);
      expect(lines.indexOf("$ true    # ok (1/1)")).toBeGreaterThan(lines.findIndex((l) => l.startsWith("committed the resolution as ")));
      expect((await c().job(job!.id)).job.state).toBe("running");
      // Nothing was reported: the record still has the old head, the branch is the old head or the checked commit.
      const recorded = await pr(mine.number);
      expect(recorded.headSha).toBe(mine.headSha);
      expect([recorded.headSha, candidate]).toContain(atCrash);
      expect(atCrash).toBe(point === "resolve.after-advance" ? candidate : mine.headSha);

      // A fresh WorkerPal takes the job once its lease runs out and finishes it.
      await startWorker("w2");
      const done = await c().waitForJob(job!.id, (j) => j.state === "succeeded" || j.state === "failed", 90_000);
      expect(done.state, JSON.stringify(done.failure)).toBe("succeeded");
      expect(done.attempt).toBe(2);
      const final = await pr(mine.number);
      expect(final.headSha).not.toBe(mine.headSha);
      expect(git(["rev-parse", branch])).toBe(final.headSha);
      expect(parents(final.headSha)).toEqual([mine.headSha, base]);
      expect(final.baseSha).toBe(base);
      expect(final.checks).toMatchObject({ state: "passed", sha: final.headSha });
      expect(final.lastMergeFailure).toBeNull();
      expect(final.body).toContain("`CHANGELOG.md`: changelog");
      expect(git(["show", `${final.headSha}:CHANGELOG.md`])).toBe("# Changelog\n\n## Unreleased\n\n- entry two\n- entry one\n\n## 1.0.0\n\n- first");
      // The retry made its own commit (the same SHA only when made within the same second) and, at
      // after-advance, replaced the first attempt's on the branch by compare-and-swap. Nothing is lost:
      // the old head and the first attempt's commit stay kept.
      expect(kept()).toContain(mine.headSha);
      expect(kept()).toContain(candidate);
      // The new head is reviewed again.
      await waitFor(`PR #${mine.number} reviewed at its new head`, async () => (await pr(mine.number)).review?.headSha === final.headSha);
    }), lane.queuedTimeout(240_000));
  }
});

describe("a resolution and the merge gate", () => {
  const BASE = "b".repeat(40);
  const NEW_BASE = "9".repeat(40);
  const POLICY_HASH = "policy-hash-1";
  const sha = (ch: string) => ch.repeat(40);
  let store: SqliteStore;
  let jobs: JobService;
  let prs: PrService;
  let now: number;

  beforeEach(() => {
    store = new SqliteStore(":memory:");
    now = 1_700_000_000_000;
    jobs = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: parseJobInput, leaseMs: 60_000, now: () => ++now, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 } });
    prs = new PrService(jobs, { id: "local", remote: false });
    applyKindEffects(jobs, { prs });
  });
  afterEach(() => store.close());

  function lease(kind: string, worker = "w1") {
    const claim = jobs.claim(worker, [kind]);
    if (!claim) throw new Error(`no ${kind} job to claim`);
    return { jobId: claim.job.id, workerId: worker, token: claim.token };
  }

  function proposal(head: string, base: string) {
    return { title: "change", body: "the change", baseBranch: "main", baseSha: base, headBranch: "pushpals/change", headSha: head, risk: "low", role: "codemod", scope: ["src/**"], files: [{ path: "src/a.txt", status: "modified" }], checks: { state: "passed", sha: head, results: [] } };
  }

  /** A PR opened by a `run` job as carol (or, with `update`, a fix commit on it). */
  function change(head: string, update?: { number: number; headSha: string }): void {
    const input = { title: "change", command: "true", scope: ["src/**"], baseBranch: "main", baseCommit: BASE, ...(update ? { updatePr: { ...update, headBranch: "pushpals/change" } } : {}) };
    jobs.enqueue({ kind: "run", input, actor: "os:carol" });
    jobs.complete(lease("run"), { pr: proposal(head, BASE) });
  }

  /** The ReviewAgent's verdict on the PR's head: approve, at `tier`. */
  function review(tier: "low" | "medium"): void {
    const head = prs.get(1).headSha;
    const l = lease("review", "review-agent");
    expect((store.getJob(l.jobId)!.input as { headSha: string }).headSha).toBe(head);
    const reasons = tier === "low" ? [] : [{ rule: "size", tier, message: "a bigger change" }];
    jobs.complete(l, { verdict: { decision: "approve", headSha: head, policyHash: POLICY_HASH, findings: [], reviewedAt: now }, classification: { tier, reasons }, autoMerge: false });
  }

  /** A merge asked for and failed `conflict`, as the SourceControlManager's rebase ends. */
  function conflictingMerge(): void {
    prs.requestMerge(1, "os:carol", prs.get(1).headSha);
    jobs.fail(lease("merge", "scm"), { class: "conflict", message: "src/a.txt conflicts with main", evidence: { paths: ["src/a.txt"] } });
  }

  /** The Conflict Resolver's job, queued as dispatch queues it on the PR's head now. */
  function dispatchResolution(): LeaseRef {
    jobs.enqueue({ kind: "resolve-conflict", input: { prNumber: 1, headSha: prs.get(1).headSha, baseBranch: "main", baseCommit: NEW_BASE }, actor: "remote-agent" });
    return lease("resolve-conflict");
  }

  function resolutionResult(previousHead: string, head: string) {
    return { prNumber: 1, files: [{ path: "src/a.txt", strategy: "rerere", notes: [], hunks: null }], ours: ["change"], theirs: ["base work"], previousHead, pr: { ...proposal(head, NEW_BASE), body: "the change\n\n---\n**Conflicts with main resolved**" } };
  }

  const gate = () => mergeGate(prs.get(1), DEFAULT_POLICY, POLICY_HASH);

  test("the resolved PR needs a fresh approval where its tier needs one; its review and merge failure are cleared, its base is the new one", () => {
    change(sha("1"));
    review("medium");
    prs.decide(1, "os:dave", "approve", null, sha("1"));
    expect(gate()).toMatchObject({ ok: true, missing: [] });
    conflictingMerge();
    expect(prs.get(1).lastMergeFailure).toStartWith("conflict:");

    const l = dispatchResolution();
    jobs.complete(l, resolutionResult(sha("1"), sha("2")));
    const resolved = prs.get(1);
    expect(resolved).toMatchObject({ headSha: sha("2"), baseSha: NEW_BASE, review: null, lastMergeFailure: null, checks: { state: "passed", sha: sha("2") } });
    expect(resolved.conflict ?? null).toBeNull();
    // Dave's approval stays in the record, bound to the head he saw: it counts for nothing now.
    expect(resolved.approvals).toMatchObject([{ by: "os:dave", headSha: sha("1") }]);
    // A fresh review of the new head was asked for in the same transaction.
    const reviews: Job[] = store.listJobs({ kind: "review", limit: 10 });
    expect(reviews.filter((j) => (j.input as { headSha: string }).headSha === sha("2")).map((j) => j.state)).toEqual(["queued"]);
    expect(gate().ok).toBe(false);
    expect(gate().missing).toContain("the ReviewAgent's verdict on this head (it reviews every new PR; see `pushpals jobs`)");

    // Reviewed again at Medium: only a person's approval of the new head is missing.
    review("medium");
    expect(gate().missing).toEqual([`1 more approval(s) of ${sha("2").slice(0, 12)} by someone other than os:carol (pushpals approve 1)`]);
    prs.decide(1, "os:dave", "approve", null, sha("2"));
    expect(gate()).toMatchObject({ ok: true, missing: [] });
  });

  test("a Low PR's resolution needs no person: reviewed again, it may merge", () => {
    change(sha("1"));
    review("low");
    expect(gate().ok).toBe(true);
    jobs.complete(dispatchResolution(), resolutionResult(sha("1"), sha("2")));
    expect(gate().ok).toBe(false);
    review("low");
    expect(gate()).toMatchObject({ ok: true, missing: [] });
  });

  test("a resolution for a PR that moved since dispatch is refused (`conflict`) and changes nothing", () => {
    change(sha("1"));
    review("medium");
    const l = dispatchResolution();
    // A fix commit lands on the PR while the Conflict Resolver works on its old head.
    change(sha("3"), { number: 1, headSha: sha("1") });
    const before = prs.get(1);
    expect(before.headSha).toBe(sha("3"));
    let refused: unknown = null;
    try {
      jobs.complete(l, resolutionResult(sha("1"), sha("2")));
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(PushpalsError);
    expect((refused as PushpalsError).code).toBe("conflict");
    expect((refused as Error).message).toContain(`no longer open at ${sha("1").slice(0, 12)}`);
    expect(prs.get(1)).toEqual(before);
    // The job did not succeed with it: it is still the worker's to fail, as the WorkerPal then does.
    expect(store.getJob(l.jobId)!.state).toBe("running");
    expect(jobs.fail(l, { class: "conflict", message: "the result was refused", evidence: {} }).state).toBe("failed");
    expect(prs.get(1)).toEqual(before);
  });
});
