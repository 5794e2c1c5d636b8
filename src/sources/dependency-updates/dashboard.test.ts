import { expect, test } from "bun:test";
import { WEEKDAYS } from "../../config/dependency-steward-settings.ts";
import type { Failure } from "../../core/failures.ts";
import { WriteContext } from "../../jobs/transition.ts";
import { fixtureItem } from "../../planning/item-fixture.ts";
import type { PlanEntry } from "../../planning/plan.ts";
import { followTaskPrs } from "../../planning/task-prs.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { escalateWorkItem, moveWorkItem, workItems } from "../../planning/work-items.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { dependencyDashboard } from "./dashboard.ts";
import { syncDependencyItems } from "./dependency-items.ts";
import { type AdvisoryRecord, DepsScan, type PlannedUpdateRecord, type UpdateGroupRecord } from "./deps-scan-result.ts";

const COMMIT = "c".repeat(40);

function update(name: string, to: string, over: Partial<PlannedUpdateRecord> = {}): PlannedUpdateRecord {
  return { name, alias: null, type: "prod", manifestPath: "package.json", kind: "minor", from: "1.0.0", to, fromRange: "^1.0.0", newRange: `^${to}`, updateType: "minor", tier: "low", ageDays: 10, ...over };
}

function group(key: string, updates: PlannedUpdateRecord[], over: Partial<UpdateGroupRecord> = {}): UpdateGroupRecord {
  return { key, title: `Update ${key}`, tier: "low", updates, security: [], ...over };
}

const ADVISORY: AdvisoryRecord = { id: 1179, url: "https://github.com/advisories/GHSA-xvch-5gv4-984h", title: "Prototype Pollution in minimist", severity: "high", vulnerableVersions: "<1.2.6", name: "minimist", version: "1.2.5" };

const DETECTED = [{ name: "eslint", type: "dev" as const, range: "^1.0.0", locked: "1.0.0", manifestPath: "package.json" }];
const PASSED_OVER = [{ name: "typescript", manifestPath: "package.json", kind: "major" as const, version: "6.0.0", reason: "released 2 days ago; updates wait 7 days" }];
const UNFIXED = [{ name: "left-pad", version: "1.0.0", manifestPath: "package.json", advisories: [{ ...ADVISORY, name: "left-pad", version: "1.0.0" }], reason: "no allowed version fixes it" }];

const GROUPS = ["pending", "in-pr", "running", "asks", "closed-pr", "dropped"].map((k) => group(k, [update(k, "1.1.0")]));

function scan(over: Partial<DepsScan> = {}): DepsScan {
  return DepsScan.parse({
    branch: "main",
    commit: COMMIT,
    scannedAt: 1_000,
    ecosystem: "npm",
    lockfile: "bun.lock",
    manifests: ["package.json"],
    detected: DETECTED,
    groups: [...GROUPS, group("security-minimist", [update("minimist", "1.2.8", { from: "1.2.5" })], { tier: "medium", security: [ADVISORY] })],
    passedOver: PASSED_OVER,
    unfixed: UNFIXED,
    registries: ["registry.npmjs.org"],
    advisoriesUnsupported: [],
    notes: ["one note"],
    schedule: { days: [...WEEKDAYS], hours: [0, 24], timezone: "UTC" },
    complete: true,
    ...over,
  });
}

function job(id: string, state: Job["state"], result: unknown, failure: Failure | null = null): Job {
  return { id, kind: "deps-scan", input: {}, priority: 0, dedupeKey: "deps-scan", state, attempt: 1, maxAttempts: 1, generation: 1, workerId: null, leaseExpiresAt: null, runAfter: null, cancelRequested: false, blockedReason: null, progress: null, result, failure, logLines: 0, logDropped: 0, createdAt: 1_000, updatedAt: 1_000, createdBy: "client" };
}

let prJobs = 0;

/** The steward's items in each state a scan and the loop leave them, from a real store. */
function setUp(): { store: SqliteStore; items: WorkItem[]; ids: Record<string, string>; prs: Record<string, number> } {
  const store = new SqliteStore(":memory:");
  store.write(() => syncDependencyItems(new WriteContext(store, 1_000), scan()));
  const item = (key: string) => workItems(store).getWorkItemByKey(`deps:main:${key}`)!;
  const withPr = (key: string, now: number) =>
    store.write(() => {
      const pr = pullRequests(store).insertPullRequest({ jobId: `job_pr_${++prJobs}`, state: "open", closedReason: null, merge: null } as unknown as Omit<PullRequest, "number">);
      moveWorkItem(new WriteContext(store, now), "remote-agent", item(key), "dispatched", "a task runs", { detail: { ...item(key).detail, pr: pr.number } });
      return pr;
    });
  const inPr = withPr("in-pr", 1_100);
  store.write(() => moveWorkItem(new WriteContext(store, 1_200), "remote-agent", item("running"), "dispatched", "a task runs"));
  store.write(() => escalateWorkItem(new WriteContext(store, 1_300), "remote-agent", item("asks"), "ambiguous", "Take the major of asks too?"));
  const closed = withPr("closed-pr", 1_400);
  store.write(() => {
    pullRequests(store).updatePullRequest({ ...closed, state: "closed", closedReason: "not now" } as PullRequest);
    followTaskPrs(new WriteContext(store, 1_500), workItems(store).listWorkItems({ states: ["dispatched"], limit: 100 }));
    moveWorkItem(new WriteContext(store, 1_600), "os:alice", item("dropped"), "dropped", "not for us");
  });
  const items = [...workItems(store).listWorkItems({ limit: 100 }), fixtureItem({ type: "github_issue", state: "open", title: "an issue, not the steward's" })];
  const ids = Object.fromEntries(items.filter((i) => i.type === "dependency_update").map((i) => [i.dedupeKey.slice("deps:main:".length), i.id]));
  return { store, items, ids, prs: { inPr: inPr.number, closed: closed.number } };
}

const rowOf = <R extends { item: string }>(rows: R[], id: string): R | undefined => rows.find((r) => r.item === id);

test("the dashboard sorts the steward's items by where they wait, each with its reason, and lists what the scan passed over and cannot fix", () => {
  const { store, items, ids, prs } = setUp();
  const pending = items.find((i) => i.id === ids.pending)!;
  const plan: PlanEntry[] = [{ rank: 1, item: pending, specialist: "dependency-updater", risk: "low", why: "backlog, priority 40", holds: ["outside the steward's schedule"], asks: null }];
  const isClosed = (n: number) => pullRequests(store).getPullRequest(n)?.state === "closed";
  const succeeded = job("job_scan_1", "succeeded", scan());
  const board = dependencyDashboard(succeeded, succeeded, items, plan, isClosed);

  expect(board.scan).toEqual({ branch: "main", commit: COMMIT, scannedAt: 1_000, ecosystem: "npm", lockfile: "bun.lock", manifests: ["package.json"], registries: ["registry.npmjs.org"], advisoriesUnsupported: [], notes: ["one note"], schedule: { days: [...WEEKDAYS], hours: [0, 24], timezone: "UTC" }, complete: true, job: "job_scan_1" });
  expect(board.lastScanFailed).toBeNull();
  expect(board.detected).toEqual(DETECTED);
  expect(board.ignored).toEqual(PASSED_OVER);
  expect(board.unfixed).toEqual(UNFIXED);

  expect(board.pending.map((r) => r.item).sort()).toEqual([ids.pending!, ids["security-minimist"]!].sort());
  expect(rowOf(board.pending, ids.pending!)).toEqual({ item: ids.pending!, title: "Update pending", tier: "low", updates: [{ name: "pending", manifestPath: "package.json", from: "1.0.0", to: "1.1.0", kind: "minor" }], security: 0, why: ["outside the steward's schedule"], pr: null });
  expect(rowOf(board.pending, ids["security-minimist"]!)).toMatchObject({ tier: "medium", security: 1, why: [] });

  expect(board.open).toEqual([
    expect.objectContaining({ item: ids["in-pr"], pr: prs.inPr, why: [`PR #${prs.inPr} waits on review, approval or merge`] }),
    expect.objectContaining({ item: ids.running, pr: null, why: ["its update is running"] }),
  ]);
  expect(board.blocked).toEqual([expect.objectContaining({ item: ids.asks, why: ["Take the major of asks too?"], pr: null })]);
  expect(board.turnedDown).toEqual([
    expect.objectContaining({ item: ids["closed-pr"], pr: prs.closed, why: [`PR #${prs.closed} closed without merging: proposed again only for a newer version`] }),
    expect.objectContaining({ item: ids.dropped, why: ["dropped by a person: proposed again only for a newer version"] }),
  ]);
  // The issue item is no row anywhere.
  expect([...board.pending, ...board.open, ...board.blocked, ...board.turnedDown]).toHaveLength(items.length - 1);
});

test("a blocked item whose PR is still open waits on its question, not turned down", () => {
  const { items, ids, prs } = setUp();
  const board = dependencyDashboard(null, null, items, [], () => false);
  expect(board.turnedDown.map((r) => r.item)).toEqual([ids.dropped!]);
  expect(rowOf(board.blocked, ids["closed-pr"]!)).toMatchObject({ pr: prs.closed });
  expect(rowOf(board.blocked, ids["closed-pr"]!)!.why[0]).toContain(`Its PR #${prs.closed} was closed`);
});

test("a newest scan that failed after the succeeded one is reported; a scan still running is not; no successful scan shows no scan", () => {
  const { store, items } = setUp();
  const isClosed = (n: number) => pullRequests(store).getPullRequest(n)?.state === "closed";
  const succeeded = job("job_scan_1", "succeeded", scan());
  const failed = job("job_scan_2", "failed", null, { class: "environment", message: "registry.npmjs.org: ECONNREFUSED", evidence: {} });

  const afterFailure = dependencyDashboard(succeeded, failed, items, [], isClosed);
  expect(afterFailure.lastScanFailed).toEqual({ job: "job_scan_2", state: "failed", class: "environment", message: "registry.npmjs.org: ECONNREFUSED" });
  expect(afterFailure.scan).toMatchObject({ job: "job_scan_1", commit: COMMIT });
  expect(dependencyDashboard(succeeded, job("job_scan_3", "cancelled", null), items, [], isClosed).lastScanFailed).toEqual({ job: "job_scan_3", state: "cancelled", class: null, message: "cancelled" });
  for (const state of ["queued", "running"] as const) expect(dependencyDashboard(succeeded, job("job_scan_4", state, null), items, [], isClosed).lastScanFailed).toBeNull();

  const never = dependencyDashboard(null, failed, items, [], isClosed);
  expect(never).toMatchObject({ scan: null, detected: [], ignored: [], unfixed: [], lastScanFailed: { job: "job_scan_2" } });
  // The items still show without a scan.
  expect(never.open).toHaveLength(2);
  expect(dependencyDashboard(null, null, [], [], isClosed)).toEqual({ scan: null, lastScanFailed: null, detected: [], pending: [], open: [], blocked: [], turnedDown: [], ignored: [], unfixed: [] });
});
