import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { JobService, type LeaseRef } from "../jobs/job-service.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { TestRunRow } from "../store/test-runs/test-run-rows.ts";
import type { CheckTestOutcome } from "../test-results/check-tests.ts";
import { KEPT_DAYS, KEPT_RUNS_PER_TEST, listFlakyTests, recordTestRun, testSummary } from "./test-history-service.ts";
import type { TestRunReport } from "./test-run-report.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const DAY = 86_400_000;

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let service: JobService;
let now: number;

beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  now = 1_000 * DAY;
  // Inputs as given: the test names a branch on a noop job.
  service = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: (_kind, input) => input, now: () => now, leaseMs: 60_000 });
});

afterEach(() => {
  store.close();
  dir.cleanup();
});

function leasedJob(input: unknown = {}): LeaseRef {
  const { job } = service.enqueue({ kind: "noop", input, actor: "test" });
  const claim = service.claim("wrk_test0001", ["noop"])!;
  expect(claim.job.id).toBe(job.id);
  return { jobId: job.id, workerId: "wrk_test0001", token: claim.token };
}

const outcome = (id: string, status: CheckTestOutcome["status"], message: string | null = status === "passed" ? null : `${id} failed`): CheckTestOutcome => ({ id, status, durationMs: 3, message });

function run(commit: string, runKey: string, outcomes: CheckTestOutcome[], quarantined: string[] = [], check = "test"): TestRunReport {
  const totals = { passed: 0, failed: 0, skipped: 0, errored: 0 };
  for (const o of outcomes) totals[o.status]++;
  return { commit, check, run: runKey, tests: { format: "junit", totals, truncated: false, outcomes, omitted: 0, quarantined } };
}


describe("recording a run's tests", () => {
  test("a round trip through SQLite: one row per test, the branch from the job's input, messages redacted", () => {
    const ref = leasedJob({ branch: "main" });
    const report = run(A, "test#0", [outcome("t > ok", "passed"), outcome("t > bad", "failed", "expected 1 got 2: token=hunter2hunter2 in the env"), outcome("t > skip", "skipped")]);
    expect(recordTestRun(service, ref, report)).toEqual({ recorded: 3 });
    const history = store.testRunHistory({ check: "test", testId: "t > bad" }, 10);
    expect(history).toEqual([
      {
        jobId: ref.jobId,
        attempt: 1,
        runKey: "test#0",
        commit: A,
        branch: "main",
        check: "test",
        testId: "t > bad",
        status: "failed",
        durationMs: 3,
        message: "expected 1 got 2: token=[REDACTED] in the env",
        quarantined: false,
        recordedAt: now,
      },
    ]);
    expect(store.testRunHistory({ check: "test", testId: "t > ok" }, 10)[0]).toMatchObject({ status: "passed", message: null, branch: "main" });
    expect(store.testRunHistory({ check: "other", testId: "t > ok" }, 10)).toEqual([]);
  });

  test("a job whose input names no branch records a null branch", () => {
    const ref = leasedJob({ commit: A });
    recordTestRun(service, ref, run(A, "test#0", [outcome("t", "passed")]));
    expect(store.testRunHistory({ check: "test", testId: "t" }, 1)[0]!.branch).toBeNull();
  });

  test("recording the same run again records nothing twice; another run of the same attempt is new", () => {
    const ref = leasedJob();
    const report = run(A, "test#triage-1", [outcome("t1", "passed"), outcome("t2", "failed")]);
    expect(recordTestRun(service, ref, report)).toEqual({ recorded: 2 });
    now += 1;
    expect(recordTestRun(service, ref, report)).toEqual({ recorded: 0 });
    expect(recordTestRun(service, ref, run(A, "test#triage-2", [outcome("t1", "passed"), outcome("t2", "passed")]))).toEqual({ recorded: 2 });
    expect(store.testRunHistory({ check: "test", testId: "t2" }, 10).map((r) => [r.runKey, r.status, r.recordedAt])).toEqual([
      ["test#triage-1", "failed", now - 1],
      ["test#triage-2", "passed", now],
    ]);
  });

  test("fenced: a stale lease token is refused and records nothing", () => {
    const ref = leasedJob();
    now += 60_001;
    expect(service.tick()).toBe(1);
    const second = service.claim("wrk_test0002", ["noop"])!;
    expect(second.token).toBe(ref.token + 1);
    expect(() => recordTestRun(service, ref, run(A, "test#0", [outcome("t", "failed")]))).toThrow(/no longer holds job/);
    expect(() => recordTestRun(service, { ...ref, workerId: "wrk_test0002" }, run(A, "test#0", [outcome("t", "failed")]))).toThrow(expect.objectContaining({ code: "lease_lost" }));
    expect(store.testRunHistory({ check: "test", testId: "t" }, 10)).toEqual([]);
    // The current holder records.
    expect(recordTestRun(service, { jobId: ref.jobId, workerId: "wrk_test0002", token: second.token }, run(A, "test#0", [outcome("t", "failed")]))).toEqual({ recorded: 1 });
    expect(store.testRunHistory({ check: "test", testId: "t" }, 10)[0]!.attempt).toBe(2);
  });

  test("each test keeps its newest runs: trimmed once a quarter over the cap", () => {
    const row = (i: number): TestRunRow => ({ jobId: `job_${i}`, attempt: 1, runKey: "test#0", commit: A, branch: null, check: "test", testId: "t", status: "passed", durationMs: 1, message: null, quarantined: false, recordedAt: i });
    for (let i = 1; i <= 5; i++) store.write(() => store.insertTestRuns([row(i)], 4));
    expect(store.testRunHistory({ check: "test", testId: "t" }, 100)).toHaveLength(5); // 4 + a quarter (1): not yet
    store.write(() => store.insertTestRuns([row(6)], 4));
    expect(store.testRunHistory({ check: "test", testId: "t" }, 100).map((r) => r.recordedAt)).toEqual([3, 4, 5, 6]);
    for (let i = 7; i <= 10; i++) store.write(() => store.insertTestRuns([row(i)], 4));
    expect(store.testRunHistory({ check: "test", testId: "t" }, 100).map((r) => r.recordedAt)).toEqual([7, 8, 9, 10]);
    // A retried row changes nothing, the count included.
    expect(store.write(() => store.insertTestRuns([row(10)], 4))).toBe(0);
    expect(KEPT_RUNS_PER_TEST).toBe(200);
  });

  test(`runs older than ${KEPT_DAYS} days are dropped when the next run is recorded`, () => {
    const old = leasedJob();
    recordTestRun(service, old, run(A, "test#0", [outcome("gone", "failed"), outcome("stays", "passed")]));
    service.complete(old, null);
    now += KEPT_DAYS * DAY + 1;
    const fresh = leasedJob();
    recordTestRun(service, fresh, run(B, "test#0", [outcome("stays", "passed")]));
    expect(store.testRunHistory({ check: "test", testId: "gone" }, 10)).toEqual([]);
    expect(store.testRunHistory({ check: "test", testId: "stays" }, 10).map((r) => r.commit)).toEqual([B]);
    expect(store.db.query("SELECT check_name, test_id FROM test_series").all()).toEqual([{ check_name: "test", test_id: "stays" }]);
  });
});

describe("summaries and the flaky list", () => {
  function history(): void {
    const ref = leasedJob({ branch: "main" });
    // Commit A, three triage runs: flaky fails once of three; broken fails all three; quarantined fails then passes.
    recordTestRun(service, ref, run(A, "test#triage-1", [outcome("flaky", "failed"), outcome("broken", "failed"), outcome("q", "failed"), outcome("stable", "passed")], ["q"]));
    now += 1;
    recordTestRun(service, ref, run(A, "test#triage-2", [outcome("flaky", "passed"), outcome("broken", "errored"), outcome("q", "passed"), outcome("stable", "passed")], []));
    now += 1;
    recordTestRun(service, ref, run(A, "test#triage-3", [outcome("flaky", "passed", null), outcome("broken", "failed", "still broken\nat line 2"), outcome("q", "failed", "q again")], ["q"]));
    now += 1;
    recordTestRun(service, ref, run(B, "test#0", [outcome("q", "passed"), outcome("q2", "failed")], [], "lint"));
    // A second check's flaky test: another series.
    recordTestRun(service, ref, run(B, "lint#0", [outcome("flaky", "failed")], [], "lint"));
  }

  test("a test's summary: score, evidence commits, consecutive passes and whether its latest run quarantined it", () => {
    history();
    const flaky = testSummary(store, { check: "test", testId: "flaky" })!;
    expect(flaky).toMatchObject({ id: "flaky", check: "test", runs: 3, passes: 2, failures: 1, flakyCommits: 1, brokenCommits: 0, consecutivePasses: 2, quarantined: false, latestStatus: "passed", lastFailureMessage: "flaky failed" });
    expect(flaky.score).toBeCloseTo(2 / 13, 12);
    expect(flaky.commits).toEqual([{ commit: A, branch: "main", passes: 2, failures: 1, verdict: "flaky", lastFailureAt: now - 3 }]);
    const broken = testSummary(store, { check: "test", testId: "broken" })!;
    expect(broken).toMatchObject({ runs: 3, failures: 3, flakyCommits: 0, brokenCommits: 1, consecutivePasses: 0, lastFailureMessage: "still broken\nat line 2" });
    expect(broken.score).toBeCloseTo(0.1, 12);
    const q = testSummary(store, { check: "test", testId: "q" })!;
    expect(q).toMatchObject({ quarantined: true, latestStatus: "failed", consecutivePasses: 0, flakyCommits: 1 });
    expect(testSummary(store, { check: "lint", testId: "q" })).toMatchObject({ quarantined: false, consecutivePasses: 1, runs: 1 });
    expect(testSummary(store, { check: "test", testId: "never ran" })).toBeNull();
  });

  test("the list: flakiest first, only tests with a flaky commit unless all, one check if asked, limited", () => {
    history();
    const ids = (tests: { check: string; id: string }[]) => tests.map((t) => `${t.check}:${t.id}`);
    // test:q 3/13 (two failures and a pass on A), test:flaky 2/13; the rest only failed where they failed: the prior's 10%,
    // then the latest failure first (lint's, recorded last), then by id.
    expect(ids(listFlakyTests(store, { limit: 50 }))).toEqual(["test:q", "test:flaky"]);
    expect(listFlakyTests(store, { limit: 50 })[0]!.score).toBeCloseTo(3 / 13, 12);
    expect(ids(listFlakyTests(store, { limit: 50, all: true }))).toEqual(["test:q", "test:flaky", "lint:flaky", "lint:q2", "test:broken"]);
    expect(ids(listFlakyTests(store, { limit: 1 }))).toEqual(["test:q"]);
    expect(ids(listFlakyTests(store, { limit: 50, check: "lint", all: true }))).toEqual(["lint:flaky", "lint:q2"]);
    expect(listFlakyTests(store, { limit: 50, check: "lint" })).toEqual([]);
  });
});
