import { expect, test } from "bun:test";
import { isPushpalsError } from "../../core/errors.ts";
import { WriteContext } from "../../jobs/transition.ts";
import { moveWorkItem, workItems } from "../../planning/work-items.ts";
import type { RemoteIssue } from "../../providers/common/api.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { type IssueScan, issueItem, recordIssueScan, syncIssueItems } from "./issue-items.ts";

const REPO = "octo/app";
const LABELS = ["agent:ready", "good first issue", "bug"];

function issue(number: number, over: Partial<RemoteIssue> = {}): RemoteIssue {
  return { number, title: `Issue ${number}`, url: `https://github.example/${REPO}/issues/${number}`, labels: ["agent:ready"], excerpt: "", ...over };
}

function scan(issues: RemoteIssue[], over: Partial<IssueScan> = {}): IssueScan {
  return { repository: REPO, labels: LABELS, complete: true, issues, ...over };
}

function sync(store: SqliteStore, s: IssueScan, now: number) {
  return store.write(() => syncIssueItems(new WriteContext(store, now), s));
}

const all = (store: SqliteStore) => workItems(store).listWorkItems({ limit: 100 });

test("an issue is a backlog item: its key, a bounded `#n title`, its labels, its URL and body excerpt as notes, priority 60 for bug", () => {
  expect(issueItem(REPO, issue(7, { title: "Crash on start", labels: ["bug", "agent:ready"], excerpt: "Steps: run it" }))).toEqual({
    dedupeKey: "github_issue:octo/app#7",
    source: "backlog",
    type: "github_issue",
    title: "#7 Crash on start",
    priority: 60,
    risk: null,
    scope: [],
    labels: ["bug", "agent:ready"],
    notes: "https://github.example/octo/app/issues/7\n\nSteps: run it",
    createdBy: "scm",
    detail: { repository: REPO, number: 7, url: "https://github.example/octo/app/issues/7" },
  });
  const long = issueItem(REPO, issue(1234, { title: "t".repeat(300), labels: ["Good First Issue"] }));
  expect(long.title).toHaveLength(300);
  expect(long.title).toStartWith("#1234 ttt");
  expect(long.priority).toBe(50);
  expect(long.notes).toBe("https://github.example/octo/app/issues/1234");
  expect(issueItem(REPO, issue(2, { labels: ["BUG"] })).priority).toBe(60);
});

test("a scan files each listed issue once, follows its changes, and writes nothing when nothing changed", () => {
  const store = new SqliteStore(":memory:");
  expect(sync(store, scan([issue(1), issue(2, { labels: ["bug"] })]), 1_000)).toEqual({ added: 2, updated: 0, closed: 0 });
  expect(all(store)).toMatchObject([
    { dedupeKey: "github_issue:octo/app#1", source: "backlog", type: "github_issue", state: "open", title: "#1 Issue 1", priority: 50, createdAt: 1_000 },
    { dedupeKey: "github_issue:octo/app#2", priority: 60, labels: ["bug"] },
  ]);
  expect(sync(store, scan([issue(1), issue(2, { labels: ["bug"] })]), 2_000)).toEqual({ added: 0, updated: 0, closed: 0 });
  expect(all(store).map((i) => i.updatedAt)).toEqual([1_000, 1_000]);
  expect(sync(store, scan([issue(1, { title: "Renamed", labels: ["agent:ready", "bug"] }), issue(2, { labels: ["bug"] })]), 3_000)).toEqual({ added: 0, updated: 1, closed: 0 });
  expect(all(store)[0]).toMatchObject({ title: "#1 Renamed", priority: 60, labels: ["agent:ready", "bug"], updatedAt: 3_000 });
  expect(all(store)).toHaveLength(2);
});

test("an item whose issue is no longer listed (closed, relabelled) is done, unless its task is running; a reopened issue opens its old item", () => {
  const store = new SqliteStore(":memory:");
  sync(store, scan([issue(1), issue(2), issue(3)]), 1_000);
  const [one, two, three] = all(store);
  store.write(() => moveWorkItem(new WriteContext(store, 1_500), "test", three!, "dispatched", "a task runs"));
  expect(sync(store, scan([issue(2)]), 2_000)).toEqual({ added: 0, updated: 0, closed: 1 });
  expect(workItems(store).getWorkItem(one!.id)!.state).toBe("done");
  expect(workItems(store).getWorkItem(two!.id)!.state).toBe("open");
  expect(workItems(store).getWorkItem(three!.id)!.state).toBe("dispatched");
  const audit = store.auditOfSubject(one!.id, ["work_item.moved"]);
  expect(audit.at(-1)).toMatchObject({ actor: "scm", subject: one!.id, data: { from: "open", to: "done" } });
  expect(JSON.stringify(audit.at(-1)!.data)).toContain('the issue is no longer open in octo/app with one of the labels (\\"agent:ready\\", \\"good first issue\\", \\"bug\\")');
  // Reopened: its old item opens again (closing and reopening never grows the store).
  expect(sync(store, scan([issue(1), issue(2)]), 3_000)).toEqual({ added: 0, updated: 1, closed: 0 });
  const again = workItems(store).getWorkItemByKey("github_issue:octo/app#1")!;
  expect(again.id).toBe(one!.id);
  expect(again.state).toBe("open");
  for (let round = 0; round < 5; round++) {
    sync(store, scan([issue(2)]), 4_000 + round * 2);
    sync(store, scan([issue(1), issue(2)]), 4_001 + round * 2);
  }
  expect(all(store)).toHaveLength(3);
});

test("an incomplete scan (a bound hit) closes nothing; an empty label list (the source off) closes every open item", () => {
  const store = new SqliteStore(":memory:");
  sync(store, scan([issue(1), issue(2)]), 1_000);
  expect(sync(store, scan([issue(2)], { complete: false }), 2_000)).toEqual({ added: 0, updated: 0, closed: 0 });
  expect(all(store).map((i) => i.state)).toEqual(["open", "open"]);
  expect(sync(store, scan([], { labels: [] }), 3_000)).toEqual({ added: 0, updated: 0, closed: 2 });
  expect(all(store).map((i) => i.state)).toEqual(["done", "done"]);
});

test("an issue whose item a person dropped is not filed again while it stays labelled; other sources' items are never touched", () => {
  const store = new SqliteStore(":memory:");
  sync(store, scan([issue(1)]), 1_000);
  store.write(() => {
    const ctx = new WriteContext(store, 1_500);
    moveWorkItem(ctx, "os:alice", all(store)[0]!, "dropped", "not for the agent");
    workItems(store).insertWorkItem({ ...all(store)[0]!, id: "wi_other", dedupeKey: "backlog:x", type: "backlog_task", state: "open", title: "local task" });
  });
  expect(sync(store, scan([issue(1)]), 2_000)).toEqual({ added: 0, updated: 0, closed: 0 });
  expect(sync(store, scan([]), 3_000)).toEqual({ added: 0, updated: 0, closed: 0 });
  expect(all(store).map((i) => [i.type, i.state])).toEqual([
    ["github_issue", "dropped"],
    ["backlog_task", "open"],
  ]);
});

test("only a succeeded scan files items, and a result its schema refuses is refused whole, naming the field", () => {
  const store = new SqliteStore(":memory:");
  const job = (state: Job["state"], result: unknown) => ({ id: "job_1", kind: "issues-scan", state, result }) as Job;
  store.write(() => recordIssueScan(new WriteContext(store, 1_000), job("failed", scan([issue(1)]))));
  store.write(() => recordIssueScan(new WriteContext(store, 1_000), job("running", scan([issue(1)]))));
  expect(all(store)).toEqual([]);
  // A title a little over its bound (the stored result is redacted after the handler bounded it: `token=[REDACTED]` is longer) is trimmed, not refused.
  store.write(() => recordIssueScan(new WriteContext(store, 1_000), job("succeeded", scan([issue(2, { title: "token=[REDACTED] ".repeat(20), excerpt: "password: [REDACTED] ".repeat(30) })]))));
  expect(all(store).map((i) => i.title.length)).toEqual([300]);
  store.write(() => workItems(store).updateWorkItem({ ...all(store)[0]!, state: "dropped" }));
  const forged = { ...scan([issue(1, { title: "x".repeat(1201) })]) };
  let refused: unknown = null;
  try {
    store.write(() => recordIssueScan(new WriteContext(store, 1_000), job("succeeded", forged)));
  } catch (err) {
    refused = err;
  }
  expect(isPushpalsError(refused, "invalid_input")).toBe(true);
  expect((refused as Error).message).toStartWith("result.issues.0.title:");
  expect(all(store).filter((i) => i.state !== "dropped")).toEqual([]);
  store.write(() => recordIssueScan(new WriteContext(store, 1_000), job("succeeded", scan([issue(1)]))));
  expect(all(store).filter((i) => i.state !== "dropped")).toHaveLength(1);
});
