import { expect, test } from "bun:test";
import { WriteContext } from "../jobs/transition.ts";
import type { PullRequest } from "../prs/pr-types.ts";
import { pullRequests } from "../prs/pr-store.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { fixtureItem } from "./item-fixture.ts";
import { recordTaskOutcome } from "./task-outcome.ts";
import { followTaskPrs } from "./task-prs.ts";
import { workItems } from "./work-items.ts";

function setUp(jobId: string): { store: SqliteStore; itemId: string; pr: PullRequest } {
  const store = new SqliteStore(":memory:");
  const item = fixtureItem({ state: "dispatched", detail: { job: jobId, attempt: 1, specialist: "codemod-runner", dispatchedAt: [1_000] } });
  const pr = store.write(() => {
    workItems(store).insertWorkItem(item);
    return pullRequests(store).insertPullRequest({ jobId, state: "open", closedReason: null, merge: null } as unknown as Omit<PullRequest, "number">);
  });
  const job = { id: jobId, kind: "run", state: "succeeded", dedupeKey: `task:${item.id}:1`, failure: null } as unknown as Job;
  store.write(() => recordTaskOutcome(new WriteContext(store, 2_000), job));
  return { store, itemId: item.id, pr };
}

function follow(store: SqliteStore, now: number): number {
  return store.write(() => followTaskPrs(new WriteContext(store, now), workItems(store).listWorkItems({ states: ["dispatched"], limit: 10 })));
}

test("a task that opened a PR waits on it; the item ships only when the PR merges", () => {
  const { store, itemId, pr } = setUp("job_00000001");
  expect(workItems(store).getWorkItem(itemId)).toMatchObject({ state: "dispatched", detail: { pr: pr.number, results: [{ at: 2_000, ok: true }] } });
  expect(follow(store, 3_000)).toBe(0);
  store.write(() => pullRequests(store).updatePullRequest({ ...pr, state: "merged", merge: { mergedSha: "a".repeat(40) } } as PullRequest));
  expect(follow(store, 4_000)).toBe(1);
  expect(workItems(store).getWorkItem(itemId)!.state).toBe("done");
});

test("a task whose PR was closed unmerged stops, blocked on whether to try again", () => {
  const { store, itemId, pr } = setUp("job_00000002");
  store.write(() => pullRequests(store).updatePullRequest({ ...pr, state: "closed", closedReason: "not this way" } as PullRequest));
  expect(follow(store, 4_000)).toBe(1);
  const item = workItems(store).getWorkItem(itemId)!;
  expect(item).toMatchObject({ state: "blocked", escalation: "stopped" });
  expect(item.question).toContain("Its PR #1 was closed (not this way) without merging");
});
