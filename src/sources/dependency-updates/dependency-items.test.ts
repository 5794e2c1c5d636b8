import { expect, test } from "bun:test";
import { WEEKDAYS } from "../../config/dependency-steward-settings.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { WriteContext } from "../../jobs/transition.ts";
import { followTaskPrs } from "../../planning/task-prs.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { escalateWorkItem, moveWorkItem, workItems } from "../../planning/work-items.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import { PrService } from "../../prs/pr-service.ts";
import { JobService } from "../../jobs/job-service.ts";
import { Bus } from "../../events/bus.ts";
import type { PushpalsEvent } from "../../events/registry.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { dependencyItem, recordDependencyScan, syncDependencyItems } from "./dependency-items.ts";
import { type AdvisoryRecord, DepsScan, groupSignature, type PlannedUpdateRecord, type UpdateGroupRecord } from "./deps-scan-result.ts";

const COMMIT = "c".repeat(40);
const SCHEDULE = { days: [...WEEKDAYS], hours: [9, 17] as [number, number], timezone: "UTC" };

function update(name: string, to: string, over: Partial<PlannedUpdateRecord> = {}): PlannedUpdateRecord {
  return { name, alias: null, type: "prod", manifestPath: "package.json", kind: "minor", from: "1.0.0", to, fromRange: "^1.0.0", newRange: `^${to}`, updateType: "minor", tier: "low", ageDays: 10, ...over };
}

function group(key: string, updates: PlannedUpdateRecord[], over: Partial<UpdateGroupRecord> = {}): UpdateGroupRecord {
  return { key, title: `Update ${key}`, tier: "low", updates, security: [], ...over };
}

const ADVISORY: AdvisoryRecord = { id: 1179, url: "https://github.com/advisories/GHSA-xvch-5gv4-984h", title: "Prototype Pollution in minimist", severity: "high", vulnerableVersions: "<1.2.6", name: "minimist", version: "1.2.5" };

/** A scan as the schema accepts it (parsed, so the fixtures stay real `deps-scan` results). */
function scan(groups: UpdateGroupRecord[], over: Partial<DepsScan> = {}): DepsScan {
  return DepsScan.parse({
    branch: "main",
    commit: COMMIT,
    scannedAt: 1_000,
    ecosystem: "npm",
    lockfile: "bun.lock",
    manifests: ["package.json", "packages/web/package.json"],
    detected: [],
    groups,
    passedOver: [],
    unfixed: [],
    registries: ["registry.npmjs.org"],
    advisoriesUnsupported: [],
    notes: [],
    schedule: SCHEDULE,
    complete: true,
    ...over,
  });
}

function sync(store: SqliteStore, s: DepsScan, now: number) {
  return store.write(() => syncDependencyItems(new WriteContext(store, now), s));
}

const byKey = (store: SqliteStore, key: string) => workItems(store).getWorkItemByKey(key)!;
const get = (store: SqliteStore, id: string) => workItems(store).getWorkItem(id)!;
const all = (store: SqliteStore) => workItems(store).listWorkItems({ limit: 100 });

let prJobs = 0;

/** Dispatches the item and gives it a PR, as a task that opened one leaves it. */
function dispatchWithPr(store: SqliteStore, item: WorkItem, now: number): PullRequest {
  return store.write(() => {
    const pr = pullRequests(store).insertPullRequest({ jobId: `job_pr_${++prJobs}`, state: "open", closedReason: null, merge: null } as unknown as Omit<PullRequest, "number">);
    moveWorkItem(new WriteContext(store, now), "remote-agent", item, "dispatched", "a task runs", { detail: { ...item.detail, pr: pr.number } });
    return pr;
  });
}

/** The PR ends (merged or closed unmerged) and the RemoteAgent's PR sweep moves the item as it does. */
function endPr(store: SqliteStore, pr: PullRequest, state: "merged" | "closed", now: number): void {
  store.write(() => {
    const ended = state === "merged" ? { ...pr, state, merge: { mergedSha: "d".repeat(40) } } : { ...pr, state, closedReason: "not now" };
    pullRequests(store).updatePullRequest(ended as PullRequest);
    followTaskPrs(new WriteContext(store, now), workItems(store).listWorkItems({ states: ["dispatched"], limit: 100 }));
  });
}

test("an item is its group: routine below the labelled issues, a major lower, lockfile maintenance lowest, a security fix by its worst advisory; a huge group is scoped to every package.json", () => {
  const s = scan([]);
  expect(dependencyItem(s, group("eslint", [update("eslint", "1.1.0")])).priority).toBe(40);
  expect(dependencyItem(s, group("eslint", [update("eslint", "2.0.0", { kind: "major", updateType: "major" })])).priority).toBe(35);
  expect(dependencyItem(s, group("lockfile-maintenance", [update("eslint", "1.0.1", { kind: "in-range" })])).priority).toBe(20);
  const critical = group("security-minimist", [update("minimist", "1.2.8")], { security: [ADVISORY, { ...ADVISORY, id: 2, severity: "critical" }] });
  expect(dependencyItem(s, critical)).toMatchObject({ priority: 90, labels: ["dependencies", "security"] });
  const huge = group("monorepo", Array.from({ length: 64 }, (_, i) => update("eslint", "1.1.0", { manifestPath: `packages/p${i}/package.json` })));
  expect(dependencyItem(s, huge).scope).toEqual(["**/package.json", "bun.lock"]);
  expect(dependencyItem({ ...s, lockfile: null }, group("eslint", [update("eslint", "1.1.0")])).scope).toEqual(["package.json"]);
});

test("a scan files one open item per group, keyed by branch and group, scoped to its manifests and the lockfile; the same scan again writes nothing", () => {
  const store = new SqliteStore(":memory:");
  const routine = group("eslint", [update("eslint", "1.4.0"), update("eslint", "1.4.0", { manifestPath: "packages/web/package.json" })]);
  const security = group("security-minimist", [update("minimist", "1.2.8", { from: "1.2.5" })], { tier: "medium", security: [ADVISORY] });
  expect(sync(store, scan([routine, security]), 1_000)).toEqual({ added: 2, updated: 0, reopened: 0, refreshed: 0, closed: 0 });

  const eslint = byKey(store, "deps:main:eslint");
  expect(eslint).toMatchObject({
    type: "dependency_update",
    source: "backlog",
    state: "open",
    title: "Update eslint",
    risk: "low",
    scope: ["package.json", "packages/web/package.json", "bun.lock"],
    labels: ["dependencies"],
    createdBy: "dependency-steward",
    createdAt: 1_000,
    notes: "eslint 1.0.0 -> 1.4.0 (package.json)\neslint 1.0.0 -> 1.4.0 (packages/web/package.json)",
    detail: { branch: "main", scanCommit: COMMIT, schedule: SCHEDULE, group: routine, signature: groupSignature(routine) },
  });
  const minimist = byKey(store, "deps:main:security-minimist");
  expect(minimist).toMatchObject({ state: "open", risk: "medium", scope: ["package.json", "bun.lock"], labels: ["dependencies", "security"], detail: { group: security } });
  expect(minimist.priority).toBeGreaterThan(60);
  expect(minimist.priority).toBeGreaterThan(eslint.priority);
  expect(store.auditOfSubject(eslint.id, ["work_item.added"])).toHaveLength(1);

  const audited = store.auditCount().count;
  expect(sync(store, scan([routine, security], { commit: "e".repeat(40) }), 2_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(all(store).map((i) => i.updatedAt)).toEqual([1_000, 1_000]);
  expect(store.auditCount().count).toBe(audited);

  expect(store.auditCount().count).toBe(audited);
});

test("a changed group updates its open item in place; a dispatched one is left as it is and keeps the group it would become as `next`", () => {
  const store = new SqliteStore(":memory:");
  sync(store, scan([group("eslint", [update("eslint", "1.4.0")])]), 1_000);
  const before = byKey(store, "deps:main:eslint");

  const newer = group("eslint", [update("eslint", "1.5.0")], { tier: "medium" });
  expect(sync(store, scan([newer]), 2_000)).toEqual({ added: 0, updated: 1, reopened: 0, refreshed: 0, closed: 0 });
  const after = byKey(store, "deps:main:eslint");
  expect(after).toMatchObject({ id: before.id, state: "open", risk: "medium", notes: "eslint 1.0.0 -> 1.5.0 (package.json)", updatedAt: 2_000, detail: { group: newer, signature: groupSignature(newer) } });
  expect(all(store)).toHaveLength(1);

  dispatchWithPr(store, after, 3_000);
  const newest = group("eslint", [update("eslint", "1.6.0")], { tier: "high" });
  expect(sync(store, scan([newest]), 4_000)).toEqual({ added: 0, updated: 1, reopened: 0, refreshed: 0, closed: 0 });
  const running = get(store, before.id);
  expect(running).toMatchObject({ state: "dispatched", risk: "medium", notes: after.notes, detail: { pr: 1, group: newer, signature: groupSignature(newer), next: newest, nextSignature: groupSignature(newest) } });
  // The same `next` again is no change.
  expect(sync(store, scan([newest]), 5_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(get(store, before.id).updatedAt).toBe(4_000);
});

test("a group whose PR a person closed unmerged is not proposed again at the same versions; a newer version reopens it with only the newer update", () => {
  const store = new SqliteStore(":memory:");
  const react = group("react", [update("react", "18.2.0", { from: "18.0.0" }), update("react-dom", "18.2.0", { from: "18.0.0" })]);
  sync(store, scan([react]), 1_000);
  const item = byKey(store, "deps:main:react");
  const pr = dispatchWithPr(store, item, 1_500);
  endPr(store, pr, "closed", 2_000);
  expect(get(store, item.id)).toMatchObject({ state: "blocked", escalation: "stopped" });

  expect(sync(store, scan([react]), 3_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(get(store, item.id)).toMatchObject({ state: "blocked", escalation: "stopped", updatedAt: 2_000 });

  const newer = group("react", [update("react", "18.2.0", { from: "18.0.0" }), update("react-dom", "18.3.0", { from: "18.0.0" })]);
  expect(sync(store, scan([newer]), 4_000)).toEqual({ added: 0, updated: 0, reopened: 1, refreshed: 0, closed: 0 });
  const reopened = get(store, item.id);
  expect(reopened).toMatchObject({ state: "open", question: null, escalation: null, answer: null, notes: "react-dom 18.0.0 -> 18.3.0 (package.json)" });
  expect((reopened.detail.group as UpdateGroupRecord).updates.map((u) => [u.name, u.to])).toEqual([["react-dom", "18.3.0"]]);
  expect(reopened.detail.rejected).toEqual({ "package.json|react|minor": "18.2.0", "package.json|react-dom|minor": "18.2.0" });
  expect(reopened.detail.pr).toBeUndefined();
  expect(store.auditOfSubject(item.id, ["work_item.moved"]).at(-1)).toMatchObject({ actor: "dependency-steward", data: { from: "blocked", to: "open" } });
  // Reopened, the same scan is no change (the turned-down react 18.2.0 stays out of it).
  expect(sync(store, scan([newer]), 5_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(all(store)).toHaveLength(1);
});

test("a group a person dropped is not proposed again at the same versions; a newer version reopens it", () => {
  const store = new SqliteStore(":memory:");
  const eslint = group("eslint", [update("eslint", "1.4.0")]);
  sync(store, scan([eslint]), 1_000);
  const item = byKey(store, "deps:main:eslint");
  store.write(() => moveWorkItem(new WriteContext(store, 1_500), "os:alice", item, "dropped", "not this one"));

  expect(sync(store, scan([eslint]), 2_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(get(store, item.id)).toMatchObject({ state: "dropped", updatedAt: 1_500 });
  // A lower version than the dropped one is turned down too.
  expect(sync(store, scan([group("eslint", [update("eslint", "1.3.0")])]), 2_500)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });

  expect(sync(store, scan([group("eslint", [update("eslint", "1.5.0")])]), 3_000)).toEqual({ added: 0, updated: 0, reopened: 1, refreshed: 0, closed: 0 });
  expect(get(store, item.id)).toMatchObject({ state: "open", detail: { rejected: { "package.json|eslint|minor": "1.4.0" }, group: { updates: [{ name: "eslint", to: "1.5.0" }] } } });
  expect(all(store)).toHaveLength(1);
});

test("a shipped group (its PR merged) reopens only when the scan offers different changes", () => {
  const store = new SqliteStore(":memory:");
  const eslint = group("eslint", [update("eslint", "1.4.0")]);
  sync(store, scan([eslint]), 1_000);
  const item = byKey(store, "deps:main:eslint");
  endPr(store, dispatchWithPr(store, item, 1_500), "merged", 2_000);
  expect(get(store, item.id).state).toBe("done");

  expect(sync(store, scan([eslint]), 3_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(get(store, item.id)).toMatchObject({ state: "done", updatedAt: 2_000 });

  const next = group("eslint", [update("eslint", "1.5.0", { from: "1.4.0", fromRange: "^1.4.0" })]);
  expect(sync(store, scan([next]), 4_000)).toEqual({ added: 0, updated: 0, reopened: 1, refreshed: 0, closed: 0 });
  const reopened = get(store, item.id);
  expect(reopened).toMatchObject({ state: "open", detail: { group: next, signature: groupSignature(next) } });
  expect(reopened.detail.pr).toBeUndefined();
  expect(reopened.detail.rejected).toBeUndefined();
});

test("a complete scan closes the branch's open and blocked items whose group is gone, but not running or turned-down ones, nor another branch's; an incomplete one closes nothing", () => {
  const store = new SqliteStore(":memory:");
  const groups = ["gone-open", "gone-blocked", "running", "turned-down", "kept"].map((k) => group(k, [update(k, "1.1.0")]));
  sync(store, scan(groups), 1_000);
  sync(store, scan([group("gone-open", [update("gone-open", "1.1.0")])], { branch: "release" }), 1_000);
  const id = (key: string) => byKey(store, key).id;
  store.write(() => escalateWorkItem(new WriteContext(store, 1_100), "remote-agent", byKey(store, "deps:main:gone-blocked"), "ambiguous", "which major?"));
  dispatchWithPr(store, byKey(store, "deps:main:running"), 1_200);
  endPr(store, dispatchWithPr(store, byKey(store, "deps:main:turned-down"), 1_300), "closed", 1_400);
  const states = (): Record<string, string> => Object.fromEntries(all(store).map((i) => [i.dedupeKey, i.state]));
  const before: Record<string, string> = {
    "deps:main:gone-open": "open",
    "deps:main:gone-blocked": "blocked",
    "deps:main:running": "dispatched",
    "deps:main:turned-down": "blocked",
    "deps:main:kept": "open",
    "deps:release:gone-open": "open",
  };
  expect(states()).toEqual(before);

  const onlyKept = [group("kept", [update("kept", "1.1.0")])];
  expect(sync(store, scan(onlyKept, { complete: false }), 2_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });
  expect(states()).toEqual(before);

  expect(sync(store, scan(onlyKept), 3_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 2 });
  expect(states()).toEqual({ ...before, "deps:main:gone-open": "done", "deps:main:gone-blocked": "done" });
  expect(store.auditOfSubject(id("deps:main:gone-open"), ["work_item.moved"]).at(-1)).toMatchObject({ actor: "dependency-steward", data: { from: "open", to: "done" } });
  expect(get(store, id("deps:main:kept")).updatedAt).toBe(1_000);
});

test("only a succeeded deps-scan job files its groups; a result the schema refuses is refused whole, naming the field", () => {
  const store = new SqliteStore(":memory:");
  const good = scan([group("eslint", [update("eslint", "1.4.0")])]);
  const job = (state: Job["state"], result: unknown, input: unknown = { branch: good.branch, commit: good.commit }) => ({ id: "job_scan", kind: "deps-scan", state, result, input }) as Job;
  for (const state of ["failed", "running", "cancelled"] as const) store.write(() => recordDependencyScan(new WriteContext(store, 1_000), job(state, good)));
  expect(all(store)).toEqual([]);

  store.write(() => recordDependencyScan(new WriteContext(store, 1_000), job("succeeded", good)));
  expect(all(store).map((i) => i.dedupeKey)).toEqual(["deps:main:eslint"]);

  const audited = store.auditCount().count;
  const forged = { ...good, complete: true, groups: [group("vitest", [update("vitest", "2.0.0")]), { ...group("x", [update("x", "1.1.0")]), key: "Not A Key" }] };
  let refused: unknown = null;
  try {
    store.write(() => recordDependencyScan(new WriteContext(store, 2_000), job("succeeded", forged)));
  } catch (err) {
    refused = err;
  }
  expect(isPushpalsError(refused, "invalid_input")).toBe(true);
  expect((refused as Error).message).toStartWith("result.groups.1.key:");
  expect(isPushpalsError(refused) && refused.field).toBe("result.groups.1.key");
  // Nothing changed: not the valid group before it, nor the closing of the eslint item the forged scan leaves out.
  expect(all(store).map((i) => [i.dedupeKey, i.state, i.updatedAt])).toEqual([["deps:main:eslint", "open", 1_000]]);
  expect(store.auditCount().count).toBe(audited);

  // A scan reporting another branch or commit than it was asked for is refused: it could file items for any branch.
  const elsewhere = () => store.write(() => recordDependencyScan(new WriteContext(store, 3_000), job("succeeded", { ...good, branch: "release" })));
  expect(elsewhere).toThrow(/was asked for main@/);
  const manifestOut = { ...good, groups: [group("evil", [{ ...update("evil", "1.1.0"), manifestPath: "../package.json" }])] };
  expect(() => store.write(() => recordDependencyScan(new WriteContext(store, 3_000), job("succeeded", manifestOut)))).toThrow(/must be a relative path to a package.json/);
  const notALockfile = { ...good, lockfile: "src/clock.ts" };
  expect(() => store.write(() => recordDependencyScan(new WriteContext(store, 3_000), job("succeeded", notALockfile)))).toThrow(/must be a relative path to a lockfile/);

  expect(store.auditCount().count).toBe(audited);
});

test("an open PR is refreshed when its group changed or it no longer rebases: closed as superseded, its item open again for a fresh PR; never on a mere base move", () => {
  const store = new SqliteStore(":memory:");
  const prs = new PrService(new JobService(store, new Bus<PushpalsEvent>()), { id: "local", remote: false });
  const refresh = (s: DepsScan, now: number) => store.write(() => syncDependencyItems(new WriteContext(store, now), s, prs));
  const eslint = group("eslint", [update("eslint", "1.4.0")]);
  refresh(scan([eslint]), 1_000);
  const item = byKey(store, "deps:main:eslint");
  const pr = dispatchWithPr(store, { ...item, detail: { ...item.detail, attempt: 1 } }, 2_000);

  // The base moved, the group did not: the PR stays as it is.
  expect(refresh(scan([eslint], { commit: "e".repeat(40) }), 3_000)).toMatchObject({ refreshed: 0 });
  expect(pullRequests(store).getPullRequest(pr.number)!.state).toBe("open");

  const newer = group("eslint", [update("eslint", "1.5.0")]);
  expect(refresh(scan([newer]), 4_000)).toMatchObject({ refreshed: 1, updated: 0 });
  const closed = pullRequests(store).getPullRequest(pr.number)!;
  expect(closed.state).toBe("closed");
  expect(closed.closedReason).toContain("superseded: its group changed");
  const reopened = get(store, item.id);
  expect(reopened).toMatchObject({ state: "open", detail: { group: newer, signature: groupSignature(newer), attempt: 1, superseded: [pr.number] } });
  expect(reopened.detail.pr).toBeUndefined();
  // Superseded by PushPals, not turned down by a person: the next scan does not hold it back.
  expect(refresh(scan([newer]), 5_000)).toEqual({ added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 });

  // A PR that no longer rebases is made again from the base, though its group is the same.
  const second = dispatchWithPr(store, get(store, item.id), 6_000);
  store.write(() => pullRequests(store).updatePullRequest({ ...pullRequests(store).getPullRequest(second.number)!, lastMergeFailure: "conflict: package-lock.json" }));
  expect(refresh(scan([newer]), 7_000)).toMatchObject({ refreshed: 1 });
  expect(pullRequests(store).getPullRequest(second.number)!.closedReason).toContain("it no longer rebases onto");
  expect(get(store, item.id).detail.superseded).toEqual([pr.number, second.number]);
});
