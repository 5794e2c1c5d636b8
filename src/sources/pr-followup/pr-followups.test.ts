import { expect, test } from "bun:test";
import { WriteContext } from "../../jobs/transition.ts";
import { ACTIVE_WORK_ITEM_STATES } from "../../planning/work-item.ts";
import { workItems } from "../../planning/work-items.ts";
import type { PullRequest } from "../../prs/pr-types.ts";
import { SqliteStore } from "../../store/sqlite-store.ts";
import { applyFollowUpChanges, followUpChanges, followUpsOf } from "./pr-followups.ts";

const H1 = "1".repeat(40);
const H2 = "2".repeat(40);

function pr(number: number, over: Partial<PullRequest> = {}): PullRequest {
  return {
    number,
    state: "open",
    baseBranch: "main",
    headSha: H1,
    lastMergeFailure: null,
    checks: { state: "passed", sha: H1, results: [] },
    review: null,
    rejections: [],
    ...over,
  } as PullRequest;
}

function sync(store: SqliteStore, prs: PullRequest[], now: number): number {
  const items = workItems(store);
  const changes = followUpChanges(prs, items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 100 }), (key) => items.getWorkItemByKey(key));
  store.write(() => applyFollowUpChanges(new WriteContext(store, now), changes));
  return changes.upserts.length + changes.closes.length;
}

test("an open PR's conflict, failed checks on its head and requested changes on its head are follow-ups; a closed PR's or an older head's are not", () => {
  const red = { state: "failed" as const, sha: H1, results: [{ name: "unit", run: "npm test", exitCode: 1, signal: null, durationMs: 5 }] };
  const all = pr(3, { lastMergeFailure: "conflict: src/a.txt changed on main", checks: red, rejections: [{ by: "os:carol", at: 1, headSha: H1, why: "rename it" }] });
  expect(followUpsOf(all).map((f) => [f.type, f.title])).toEqual([
    ["pr_conflict", "PR #3 no longer rebases onto main"],
    ["pr_checks_failed", "PR #3's checks failed (unit)"],
    ["pr_changes_requested", "PR #3 has changes requested"],
  ]);
  expect(followUpsOf({ ...all, state: "merged" })).toEqual([]);
  expect(followUpsOf(pr(4, { headSha: H2, checks: red, rejections: [{ by: "os:carol", at: 1, headSha: H1, why: null }] }))).toEqual([]);
  expect(followUpsOf(pr(5, { lastMergeFailure: "checks_failed: unit" }))).toEqual([]);
});

test("follow-ups become one item each while they last, follow the PR's head, and close when gone; an unchanged sweep writes nothing", () => {
  const store = new SqliteStore(":memory:");
  const conflicted = pr(7, { lastMergeFailure: "conflict: src/a.txt" });
  expect(sync(store, [conflicted], 1_000)).toBe(1);
  expect(sync(store, [conflicted], 2_000)).toBe(0);
  const [item] = workItems(store).listWorkItems({ limit: 10 });
  expect(item).toMatchObject({ source: "pr_followup", type: "pr_conflict", state: "open", dedupeKey: "pr_followup:7:pr_conflict", detail: { pr: 7, headSha: H1 } });
  expect(sync(store, [{ ...conflicted, headSha: H2 }], 3_000)).toBe(1);
  expect(workItems(store).listWorkItems({ limit: 10 })).toMatchObject([{ id: item!.id, detail: { headSha: H2 } }]);
  expect(sync(store, [{ ...conflicted, headSha: H2, lastMergeFailure: null }], 4_000)).toBe(1);
  expect(workItems(store).getWorkItem(item!.id)!.state).toBe("done");
  expect(sync(store, [], 5_000)).toBe(0);
});

test("a follow-up a person dropped is not filed again while the PR's head is the same; a new head files it again", () => {
  const store = new SqliteStore(":memory:");
  const conflicted = pr(8, { lastMergeFailure: "conflict: src/a.txt" });
  sync(store, [conflicted], 1_000);
  const [item] = workItems(store).listWorkItems({ limit: 10 });
  store.write(() => workItems(store).updateWorkItem({ ...item!, state: "dropped" }));
  expect(sync(store, [conflicted], 2_000)).toBe(0);
  expect(sync(store, [{ ...conflicted, headSha: H2 }], 3_000)).toBe(1);
  expect(workItems(store).listWorkItems({ states: ["open"], limit: 10 })).toMatchObject([{ detail: { headSha: H2 } }]);
});
