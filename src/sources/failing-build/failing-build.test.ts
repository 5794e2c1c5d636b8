import { expect, test } from "bun:test";
import { WriteContext } from "../../jobs/transition.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { failingBuildKey, recordBranchChecks } from "./failing-build.ts";
import { historyKey, workItems } from "../../planning/work-items.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const commands = [
  { name: "lint", run: "npm run lint" },
  { name: "test", run: "npm test" },
];

/** Queued in the order of their ids, unless said. */
function checksJob(id: string, commit: string, state: Job["state"], failedCommand: string | null, branch: string | null = "main", createdAt = parseInt(id.slice(4), 16)): Job {
  return {
    id,
    createdAt,
    kind: "checks",
    state,
    input: { commit, commands, ...(branch ? { branch } : {}) },
    failure: failedCommand ? { class: "checks_failed", message: `failed: ${failedCommand}`, evidence: { command: failedCommand } } : null,
  } as unknown as Job;
}

function apply(store: SqliteStore, job: Job, now: number): void {
  store.write(() => recordBranchChecks(new WriteContext(store, now), job));
}

test("the same red check seen on two commits is one item, naming the first red commit; a pass of the branch resolves it", () => {
  const store = new SqliteStore(":memory:");
  apply(store, checksJob("job_00000001", A, "failed", "npm test"), 1_000);
  apply(store, checksJob("job_00000002", B, "failed", "npm test"), 2_000);
  apply(store, checksJob("job_00000002", B, "failed", "npm test"), 2_500);
  const items = workItems(store).listWorkItems({ limit: 10 });
  expect(items).toHaveLength(1);
  const red = items[0]!;
  expect(red.dedupeKey).toBe(failingBuildKey("main", "test"));
  expect(red).toMatchObject({ source: "failing_build", type: "red_check", state: "open", title: "test is red on main" });
  expect(red.detail).toMatchObject({ firstRedCommit: A, lastRedCommit: B, seen: 2, jobs: ["job_00000001", "job_00000002"] });
  // Audited once, when it was added.
  expect(store.auditLatestOf(["work_item.added"])?.subject).toBe(red.id);

  // Checks that never ran the red command say nothing about it.
  const other = { ...checksJob("job_0000000a", C, "succeeded", null), input: { commit: C, branch: "main", commands: [{ name: "test", run: "true" }] } } as unknown as Job;
  apply(store, other, 2_800);
  expect(workItems(store).getWorkItem(red.id)!.state).toBe("open");
  apply(store, checksJob("job_00000003", C, "succeeded", null), 3_000);
  const after = workItems(store).getWorkItem(red.id)!;
  expect(after.state).toBe("done");
  expect(after.detail.greenCommit).toBe(C);
  // Red again later, the same check: a new item under the key; the old one is history under its own.
  apply(store, checksJob("job_00000004", C, "failed", "npm test"), 4_000);
  apply(store, checksJob("job_00000005", C, "failed", "npm run lint"), 4_000);
  const active = workItems(store).listWorkItems({ states: ["open"], limit: 10 });
  expect(active.map((i) => i.title)).toEqual(["test is red on main", "lint is red on main"]);
  expect(workItems(store).getWorkItemByKey(failingBuildKey("main", "test"))!.id).toBe(active[0]!.id);
  expect(workItems(store).getWorkItemByKey(historyKey(red))!.state).toBe("done");
  // A client's check named to take what was the history key (`<key>#<id>`) takes nothing: the next red of the real check is still filed.
  const forged = { ...checksJob("job_00000006", C, "failed", "evil"), input: { commit: C, branch: "main", commands: [{ name: `test#${red.id}`, run: "evil" }] } } as unknown as Job;
  apply(store, forged, 5_000);
  apply(store, checksJob("job_00000007", C, "failed", "npm test"), 5_000);
  expect(workItems(store).getWorkItemByKey(failingBuildKey("main", "test"))!.detail.seen).toBe(2);
});

test("checks of a commit not named as a branch's, or failing for another class, make no item", () => {
  const store = new SqliteStore(":memory:");
  apply(store, checksJob("job_00000001", A, "failed", "npm test", null), 1_000);
  const env = { ...checksJob("job_00000002", A, "failed", null), failure: { class: "environment", message: "no npm", evidence: {} } } as unknown as Job;
  apply(store, env, 1_000);
  expect(workItems(store).listWorkItems({ limit: 10 })).toEqual([]);
});

test("a green of checks queued before the last red ones (an older head's, finishing late) leaves the item open", () => {
  const store = new SqliteStore(":memory:");
  apply(store, checksJob("job_00000005", B, "failed", "npm test"), 5_000);
  apply(store, checksJob("job_00000004", A, "succeeded", null), 6_000);
  const red = workItems(store).listWorkItems({ limit: 10 })[0]!;
  expect(red.state).toBe("open");
  // A red of an older head that ends late does not move the last red commit back either.
  apply(store, checksJob("job_00000003", A, "failed", "npm test"), 6_500);
  expect(workItems(store).getWorkItem(red.id)!.detail).toMatchObject({ lastRedCommit: B, seen: 2 });
  apply(store, checksJob("job_00000006", C, "succeeded", null), 7_000);
  expect(workItems(store).getWorkItem(red.id)!).toMatchObject({ state: "done", detail: { greenCommit: C } });
});

test("a red item names the last green commit of its check on the branch, and the red run's failed tests; a timeout is a failing build too", () => {
  const store = new SqliteStore(":memory:");
  apply(store, checksJob("job_00000001", A, "succeeded", null), 1_000);
  apply(store, checksJob("job_00000002", B, "failed", "npm test"), 2_000);
  const red = workItems(store).getWorkItemByKey(failingBuildKey("main", "test"))!;
  // No report was read for the red run: its failed tests are unknown (null), not "none".
  expect(red.detail).toMatchObject({ cause: "checks_failed", lastGreenCommit: A, lastRedCommit: B, failedTests: null });
  const slow = { ...checksJob("job_00000003", C, "failed", null), failure: { class: "timeout", message: "lint ran past the 900s checks time limit", evidence: { command: "npm run lint" } } } as unknown as Job;
  apply(store, slow, 3_000);
  expect(workItems(store).getWorkItemByKey(failingBuildKey("main", "lint"))).toMatchObject({ title: "lint runs past its time limit on main", detail: { cause: "timeout" } });
});

test("a green run resolves red checks only: an un-quarantine item of the same source stays", () => {
  const store = new SqliteStore(":memory:");
  store.write(() => {
    const ctx = new WriteContext(store, 500);
    workItems(store).insertWorkItem({ id: "wi_unq", dedupeKey: "unquarantine:test:t", source: "failing_build", type: "quarantined_test_passing", title: "t passes", priority: 30, state: "open", risk: "medium", scope: [], labels: [], notes: null, createdBy: "server", createdAt: ctx.now, updatedAt: ctx.now, question: null, escalation: null, answer: null, detail: { check: "test", testId: "t", branch: "main" } });
  });
  apply(store, checksJob("job_00000001", A, "succeeded", null), 1_000);
  expect(workItems(store).getWorkItem("wi_unq")?.state).toBe("open");
});
