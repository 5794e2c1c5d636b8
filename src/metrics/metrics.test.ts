import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ComponentService } from "../components/component-service.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { JobService } from "../jobs/job-service.ts";
import { applyKindEffects } from "../kinds/effects.ts";
import { parseJobInput } from "../kinds/registry.ts";
import { PrService } from "../prs/pr-service.ts";
import { pullRequests } from "../prs/pr-store.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { computeMetrics, metricsSnapshot } from "./compute-metrics.ts";
import { readHistory } from "./metrics-history.ts";
import { MetricsSnapshot } from "./metrics-snapshot.ts";
import { durationMs, windowStart } from "./metrics-window.ts";
import { prometheusText } from "./prometheus-text.ts";
import { median } from "./stats.ts";

/**
 * A seeded history with known answers: every job, PR and audit entry goes through the real services
 * (job service, PR service and the kinds' effects, component service), on a clock the test moves.
 */

const T0 = 1_700_000_000_000;
const CAROL = "os:carol";
const DAVE = "os:dave";
const ERIN = "os:erin";
const BASE = "b".repeat(40);
const sha = (c: string) => c.repeat(40);

let store: SqliteStore;
let now: number;
let jobs: JobService;
let prs: PrService;
let components: ComponentService;

beforeEach(() => {
  store = new SqliteStore(":memory:");
  now = T0;
  jobs = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: parseJobInput, leaseMs: 1_000, now: () => now, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 } });
  prs = new PrService(jobs, { id: "local", remote: false });
  applyKindEffects(jobs, { prs });
  components = new ComponentService(jobs);
});
afterEach(() => store.close());

const at = (t: number) => void (now = T0 + t);

function claimed(kind: string, worker = "w1") {
  const claim = jobs.claim(worker, [kind]);
  if (!claim) throw new Error(`no ${kind} job to claim`);
  return { jobId: claim.job.id, workerId: worker, token: claim.token };
}

function proposal(head: string, title: string) {
  return {
    title,
    body: "",
    baseBranch: "main",
    baseSha: BASE,
    headBranch: `pushpals/${title}`,
    headSha: head,
    risk: "low",
    role: "codemod",
    scope: ["src/**"],
    files: [{ path: "src/a.txt", status: "M" }],
    checks: { state: "passed", sha: head, results: [] },
  };
}

/** A `run` job queued at `queued`, claimed at `started`, succeeding at `done` with `head` (a new PR, or a fix commit on `update`). */
function change(title: string, head: string, t: { queued: number; started: number; done: number }, update?: { number: number; headSha: string }): Job {
  at(t.queued);
  const input = { title, command: "true", scope: ["src/**"], baseBranch: "main", baseCommit: BASE, ...(update ? { updatePr: { ...update, headBranch: `pushpals/${title}` } } : {}) };
  jobs.enqueue({ kind: "run", input, actor: CAROL });
  at(t.started);
  const lease = claimed("run");
  at(t.done);
  return jobs.complete(lease, { pr: proposal(head, title) });
}

/** A person asks to merge the PR's head at `queued`; the SourceControlManager claims it at `started` and lands it at `done`. */
function merge(number: number, t: { queued: number; started: number; done: number }): Job {
  at(t.queued);
  const pr = prs.get(number);
  prs.requestMerge(number, CAROL, pr.headSha);
  at(t.started);
  const lease = claimed("merge", "scm");
  at(t.done);
  return jobs.complete(lease, { mergedSha: sha("e"), previousBaseSha: BASE, checks: { state: "passed", sha: pr.headSha, results: [] }, rebased: false, checkedOutAt: [] });
}

/** A person approves the PR's head at `t`. */
function approve(number: number, by: string, t: number): void {
  at(t);
  prs.decide(number, by, "approve", null, prs.get(number).headSha);
}

type Strategy = "lockfile" | "json" | "changelog" | "rerere" | "unresolved";

/**
 * The Conflict Resolver's job on PR `number` at its head, as dispatch queues it: claimed at `started`,
 * succeeding at `done` with these files, and with the PR's new head `head` when every file was resolved.
 */
function resolution(number: number, files: [string, Strategy][], t: { queued: number; started: number; done: number }, head?: string): Job {
  at(t.queued);
  const pr = prs.get(number);
  jobs.enqueue({ kind: "resolve-conflict", input: { prNumber: number, headSha: pr.headSha, baseBranch: "main", baseCommit: sha("9") }, actor: "remote-agent" });
  at(t.started);
  const lease = claimed("resolve-conflict");
  at(t.done);
  const resolved = files.map(([path, strategy]) => ({ path, strategy, notes: [], hunks: strategy === "unresolved" ? "<<<<<<< ours\n=======\n>>>>>>> theirs\n" : null }));
  return jobs.complete(lease, { prNumber: number, files: resolved, ours: [], theirs: [], previousHead: pr.headSha, ...(head ? { pr: proposal(head, pr.title) } : {}) });
}

function noop(t: number, extra: { blockedReason?: string } = {}): Job {
  at(t);
  return jobs.enqueue({ kind: "noop", input: {}, actor: CAROL, ...extra }).job;
}

/** The whole history; see each step for what it contributes. Returns the moment the metrics are read. */
function seed(): number {
  // Installed: the first server start. A later one changes nothing.
  at(0);
  jobs.audit("server", "server.started", null, { pid: 1 });
  // Run A: 4 s to online.
  at(1_000);
  components.online("supervisor", { startedAt: T0 - 3_000, onlineAt: T0 + 1_000, components: ["server", "worker-1"] });

  // PR #1: opened at 15 s (the first PR: 15 s after install), merged; every commit a job's.
  change("one", sha("1"), { queued: 10_000, started: 12_000, done: 15_000 });
  // Approved by two people: one PR approved.
  approve(1, DAVE, 15_500);
  approve(1, ERIN, 15_600);
  merge(1, { queued: 16_000, started: 17_000, done: 18_000 });
  // PR #2: a fix commit from a `run --pr` job (two heads: rework), merged; still every commit a job's.
  change("two", sha("2"), { queued: 20_000, started: 24_000, done: 25_000 });
  // Approved at its first head; the fix commit voids it for the gate, not as the fact that it was approved.
  approve(2, DAVE, 25_500);
  change("two", sha("3"), { queued: 26_000, started: 27_000, done: 28_000 }, { number: 2, headSha: sha("2") });
  merge(2, { queued: 29_000, started: 29_500, done: 30_000 });
  // PR #3: its head moved to a commit no job made (a person's push), then merged: not autonomous.
  change("three", sha("4"), { queued: 40_000, started: 40_000, done: 41_000 });
  store.write(() => pullRequests(store).updatePullRequest({ ...prs.get(3), headSha: sha("5") }));
  merge(3, { queued: 42_000, started: 43_000, done: 44_000 });
  // PR #4: open. Its base moved twice: the Conflict Resolver resolved it twice (two more heads: rework),
  // then hit a conflict no strategy resolves (a person's turn), then found nothing left to resolve.
  change("four", sha("6"), { queued: 50_000, started: 51_000, done: 52_000 });
  resolution(4, [["package-lock.json", "lockfile"], ["package.json", "json"], ["CHANGELOG.md", "changelog"]], { queued: 60_000, started: 61_000, done: 63_000 }, sha("7"));
  resolution(4, [["packages/web/package-lock.json", "lockfile"], ["src/a.txt", "rerere"]], { queued: 64_000, started: 64_500, done: 66_000 }, sha("8"));
  resolution(4, [["package-lock.json", "lockfile"], ["src/a.txt", "unresolved"]], { queued: 70_000, started: 72_000, done: 73_000 });
  resolution(4, [], { queued: 75_000, started: 75_000, done: 75_500 });

  at(100_000);
  jobs.audit("server", "server.started", null, { pid: 2 });
  // Run B: 2 s.
  at(102_000);
  components.online("supervisor", { startedAt: T0 + 100_000, onlineAt: T0 + 102_000, components: ["server"] });

  // n1: fails once (retryable), retried, succeeds: not clean.
  noop(200_000);
  at(201_000);
  let lease = claimed("noop");
  at(202_000);
  jobs.fail(lease, { class: "environment", message: "disk full", evidence: {} });
  at(210_000);
  jobs.tick();
  at(211_000);
  jobs.complete(claimed("noop"), null);
  // n2: loses its lease twice (stuck), third attempt succeeds (a retry storm).
  noop(220_000);
  at(221_000);
  claimed("noop");
  at(223_000);
  jobs.tick();
  at(224_000);
  claimed("noop");
  at(226_000);
  jobs.tick();
  at(227_000);
  lease = claimed("noop");
  at(227_500);
  jobs.complete(lease, null);
  // n3: blocked for 2 h (stuck) until a person unblocks it; then waits 10 s and succeeds: not clean.
  const n3 = noop(230_000, { blockedReason: "waits for a person" });
  // PR #4, opened long before, approved now.
  approve(4, DAVE, 7_000_000);
  at(7_430_000);
  jobs.unblock(n3.id, CAROL, "go");
  at(7_440_000);
  lease = claimed("noop");
  at(7_441_000);
  jobs.complete(lease, null);
  // n4: cancelled by a person before it ran.
  const n4 = noop(7_450_000);
  at(7_451_000);
  jobs.cancel(n4.id, CAROL);
  // n5: the clean one, 3 s in the queue.
  noop(7_460_000);
  at(7_463_000);
  lease = claimed("noop");
  at(7_464_000);
  jobs.complete(lease, null);
  // n6: blocked since 7 470 s, still blocked at the end (stuck).
  noop(7_470_000, { blockedReason: "waits for a capability" });
  // Run C: 5 s.
  at(7_480_000);
  components.online("supervisor", { startedAt: T0 + 7_475_000, onlineAt: T0 + 7_480_000, components: ["server"] });
  // n7: running, its lease expired and not yet taken back (stuck).
  noop(7_490_000);
  at(7_492_000);
  claimed("noop");

  const end = T0 + 7_470_000 + 3_700_000;
  now = end;
  return end;
}

describe("metrics of a seeded history", () => {
  test("every metric over all history, exactly", () => {
    const end = seed();
    const m = metricsSnapshot(store, end, null);
    expect(MetricsSnapshot.parse(m)).toEqual(m);
    expect(m).toEqual({
      generatedAt: end,
      since: null,
      install: { installedAt: T0, firstPrOpenedAt: T0 + 15_000, secondsToFirstPr: 15 },
      online: { runs: 3, lastOnlineAt: T0 + 7_480_000, lastSeconds: 5, medianSeconds: 4 },
      // PRs 1 and 2 of the 3 merged; PR 3's head is a commit no job made.
      merges: { merged: 3, autonomous: 2, rate: 2 / 3 },
      // PR 2 (a fix commit) of the 4: PR 4's two heads after its first are resolutions of conflicts with its base, not rework.
      rework: { prs: 4, reworked: 1, rate: 0.25 },
      // PRs 1, 2 and 4 approved (PR 3 merged with none); 1 and 2 merged.
      approvals: { approved: 3, merged: 2, rate: 2 / 3 },
      jobs: {
        // 5 run, 3 merge, 5 noop, 4 resolve-conflict finished (the 7 review jobs are still queued, n6 blocked, n7 running).
        all: { finished: 17, succeeded: 16, clean: 13, rate: 13 / 17 },
        byKind: [
          { kind: "merge", finished: 3, succeeded: 3, clean: 3, rate: 1 },
          { kind: "noop", finished: 5, succeeded: 4, clean: 1, rate: 0.2 },
          { kind: "resolve-conflict", finished: 4, succeeded: 4, clean: 4, rate: 1 },
          { kind: "run", finished: 5, succeeded: 5, clean: 5, rate: 1 },
        ],
      },
      queue: {
        // 5 run + 3 merge + 7 review + 7 noop + 4 resolve-conflict.
        jobs: 26,
        // Waits (s): run 2, 4, 1, 0, 1; merge 1, 0.5, 1; noop 1, 1, 10, 3, 2; resolve-conflict 1, 0.5, 2, 0: the 9th of 17 is 1.
        started: 17,
        medianWaitSeconds: 1,
        stuck: 4,
        stuckRate: 4 / 26,
        retryStorms: 1,
        retryStormRate: 1 / 26,
      },
      // The two resolutions' 5 files by strategy; the unresolved one's lockfile counts for nothing, the clean one for neither.
      conflicts: { resolved: 2, byStrategy: { lockfile: 2, json: 1, changelog: 1, rerere: 1, structured: 0, model: 0 }, manualInterventions: 1, rate: 2 / 3 },
      // No model-backed job in this history (model-metrics.test.ts has them).
      models: { days: [] },
      thresholds: { stuckBlockedSeconds: 3600, retryStormAttempts: 2, reworkHeads: 2 },
    });
  });

  test("a window keeps the jobs created, PRs opened and runs started in it; install to first PR is all history", () => {
    const end = seed();
    const m = computeMetrics(readHistory(store, T0 + 150_000), end);
    expect(m.since).toBe(T0 + 150_000);
    expect(m.install).toEqual({ installedAt: T0, firstPrOpenedAt: T0 + 15_000, secondsToFirstPr: 15 });
    expect(m.online).toEqual({ runs: 1, lastOnlineAt: T0 + 7_480_000, lastSeconds: 5, medianSeconds: 5 });
    expect(m.merges).toEqual({ merged: 0, autonomous: 0, rate: null });
    expect(m.rework).toEqual({ prs: 0, reworked: 0, rate: null });
    // PR 4 opened before the window and was approved in it.
    expect(m.approvals).toEqual({ approved: 1, merged: 0, rate: 0 });
    expect(m.conflicts).toEqual({ resolved: 0, byStrategy: { lockfile: 0, json: 0, changelog: 0, rerere: 0, structured: 0, model: 0 }, manualInterventions: 0, rate: null });
    expect(m.jobs).toEqual({ all: { finished: 5, succeeded: 4, clean: 1, rate: 0.2 }, byKind: [{ kind: "noop", finished: 5, succeeded: 4, clean: 1, rate: 0.2 }] });
    // n1..n7; waits 1, 1, 10, 3, 2 s.
    expect(m.queue).toEqual({ jobs: 7, started: 5, medianWaitSeconds: 2, stuck: 4, stuckRate: 4 / 7, retryStorms: 1, retryStormRate: 1 / 7 });
  });

  test("an empty history: no rates, no durations, nothing made up", () => {
    const m = metricsSnapshot(store, T0, null);
    expect(m.install).toEqual({ installedAt: null, firstPrOpenedAt: null, secondsToFirstPr: null });
    expect(m.online).toEqual({ runs: 0, lastOnlineAt: null, lastSeconds: null, medianSeconds: null });
    expect(m.merges.rate).toBeNull();
    expect(m.rework.rate).toBeNull();
    expect(m.approvals).toEqual({ approved: 0, merged: 0, rate: null });
    expect(m.conflicts).toEqual({ resolved: 0, byStrategy: { lockfile: 0, json: 0, changelog: 0, rerere: 0, structured: 0, model: 0 }, manualInterventions: 0, rate: null });
    expect(m.jobs).toEqual({ all: { finished: 0, succeeded: 0, clean: 0, rate: null }, byKind: [] });
    expect(m.queue).toEqual({ jobs: 0, started: 0, medianWaitSeconds: null, stuck: 0, stuckRate: null, retryStorms: 0, retryStormRate: null });
  });

  test("a PR whose opening job is gone from the history is not counted as autonomous", () => {
    change("one", sha("1"), { queued: 0, started: 1, done: 2 });
    const first = merge(1, { queued: 3, started: 4, done: 5 });
    expect(metricsSnapshot(store, now, null).merges).toEqual({ merged: 1, autonomous: 1, rate: 1 });
    store.db.query("DELETE FROM jobs WHERE id = ?").run(prs.get(1).jobId);
    expect(metricsSnapshot(store, now, null).merges).toEqual({ merged: 1, autonomous: 0, rate: 0 });
    expect(first.state).toBe("succeeded");
  });
});

describe("the Prometheus text", () => {
  test("gauges from the snapshot, per kind where it has kinds; what has nothing to measure is left out", async () => {
    const end = seed();
    const text = await prometheusText(metricsSnapshot(store, end, null));
    const samples = text.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(samples).toEqual([
      "pushpals_install_to_first_pr_seconds 15",
      "pushpals_time_to_online_seconds 5",
      "pushpals_time_to_online_median_seconds 4",
      "pushpals_online_runs 3",
      `pushpals_autonomous_merge_ratio ${2 / 3}`,
      "pushpals_prs_merged 3",
      "pushpals_prs_merged_autonomous 2",
      "pushpals_rework_ratio 0.25",
      "pushpals_prs_opened 4",
      "pushpals_prs_reworked 1",
      `pushpals_approved_to_merged_ratio ${2 / 3}`,
      "pushpals_prs_approved 3",
      "pushpals_prs_approved_merged 2",
      'pushpals_job_success_ratio{kind="merge"} 1',
      'pushpals_job_success_ratio{kind="noop"} 0.2',
      'pushpals_job_success_ratio{kind="resolve-conflict"} 1',
      'pushpals_job_success_ratio{kind="run"} 1',
      'pushpals_jobs_finished{kind="merge"} 3',
      'pushpals_jobs_finished{kind="noop"} 5',
      'pushpals_jobs_finished{kind="resolve-conflict"} 4',
      'pushpals_jobs_finished{kind="run"} 5',
      'pushpals_jobs_succeeded{kind="merge"} 3',
      'pushpals_jobs_succeeded{kind="noop"} 4',
      'pushpals_jobs_succeeded{kind="resolve-conflict"} 4',
      'pushpals_jobs_succeeded{kind="run"} 5',
      'pushpals_jobs_succeeded_clean{kind="merge"} 3',
      'pushpals_jobs_succeeded_clean{kind="noop"} 1',
      'pushpals_jobs_succeeded_clean{kind="resolve-conflict"} 4',
      'pushpals_jobs_succeeded_clean{kind="run"} 5',
      "pushpals_jobs 26",
      "pushpals_jobs_started 17",
      "pushpals_queue_wait_median_seconds 1",
      `pushpals_stuck_job_ratio ${4 / 26}`,
      "pushpals_jobs_stuck 4",
      `pushpals_retry_storm_ratio ${1 / 26}`,
      "pushpals_jobs_retry_storm 1",
      'pushpals_conflict_files_resolved{strategy="lockfile"} 2',
      'pushpals_conflict_files_resolved{strategy="json"} 1',
      'pushpals_conflict_files_resolved{strategy="changelog"} 1',
      'pushpals_conflict_files_resolved{strategy="rerere"} 1',
      'pushpals_conflict_files_resolved{strategy="structured"} 0',
      'pushpals_conflict_files_resolved{strategy="model"} 0',
      "pushpals_conflict_resolutions 2",
      "pushpals_conflict_manual_interventions 1",
      `pushpals_conflict_automatic_ratio ${2 / 3}`,
    ]);
    expect(text).toContain("# TYPE pushpals_job_success_ratio gauge");
    expect(text).toMatch(/# HELP pushpals_stuck_job_ratio Stuck-job rate: .*blocked.*60 min/);

    const blank = new SqliteStore(":memory:");
    try {
      const empty = await prometheusText(metricsSnapshot(blank, T0, null));
      expect(empty).not.toContain("pushpals_install_to_first_pr_seconds ");
      expect(empty).not.toContain("pushpals_autonomous_merge_ratio ");
      expect(empty).not.toContain("pushpals_job_success_ratio{");
      expect(empty).toContain("pushpals_prs_merged 0");
      expect(empty).not.toContain("pushpals_approved_to_merged_ratio ");
      expect(empty).not.toContain("pushpals_conflict_automatic_ratio ");
      expect(empty).toContain('pushpals_conflict_files_resolved{strategy="lockfile"} 0');
      expect(empty).toContain("pushpals_conflict_manual_interventions 0");
    } finally {
      blank.close();
    }
  });
});

test("durations, windows and medians", () => {
  expect([durationMs("90s"), durationMs("30m"), durationMs("24h"), durationMs("7d"), durationMs("2w")]).toEqual([90_000, 1_800_000, 86_400_000, 604_800_000, 1_209_600_000]);
  expect(() => durationMs("7 days")).toThrow();
  expect(windowStart(T0, undefined)).toBeNull();
  expect(windowStart(T0, "1h")).toBe(T0 - 3_600_000);
  expect([median([]), median([3]), median([4, 1, 3]), median([4, 1, 3, 2])]).toEqual([null, 3, 3, 2.5]);
});
