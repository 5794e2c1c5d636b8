import { expect, test } from "bun:test";
import { WriteContext } from "../jobs/transition.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { fixtureItem } from "./item-fixture.ts";
import { recordTaskOutcome } from "./task-outcome.ts";
import { markOverdue } from "./wall-time.ts";
import type { WorkItem } from "./work-item.ts";
import { workItems } from "./work-items.ts";

function dispatched(store: SqliteStore, job: string): WorkItem {
  const item = fixtureItem({ state: "dispatched", detail: { job, attempt: 1, specialist: "codemod-runner", dispatchedAt: [1_000] } });
  store.write(() => workItems(store).insertWorkItem(item));
  return item;
}

function ended(item: WorkItem, state: Job["state"], failure: { class: string; message: string } | null = null): Job {
  return { id: String(item.detail.job), kind: "run", state, dedupeKey: `task:${item.id}:1`, failure } as unknown as Job;
}

function outcome(store: SqliteStore, job: Job, now = 2_000): WorkItem {
  store.write(() => recordTaskOutcome(new WriteContext(store, now), job));
  return workItems(store).getWorkItem(job.dedupeKey!.split(":")[1]!)!;
}

test("a failure from the machine's or repository's state stops and asks at once (unrelated_state), as does a policy refusal", () => {
  const store = new SqliteStore(":memory:");
  const env = outcome(store, ended(dispatched(store, "job_00000001"), "failed", { class: "environment", message: "git: not a repository" }));
  expect(env).toMatchObject({ state: "blocked", escalation: "unrelated_state" });
  expect(env.question).toContain("environment: git: not a repository");
  expect(env.detail.results).toEqual([{ at: 2_000, ok: false }]);
  const denied = outcome(store, ended(dispatched(store, "job_00000002"), "failed", { class: "policy_denied", message: "outside the write scope" }));
  expect(denied).toMatchObject({ state: "blocked", escalation: "conflicts_principles" });
  const audit = store.auditOfActions(["work_item.escalated"], 0, 50);
  expect(audit.map((a) => (a.data as { escalation: string }).escalation)).toEqual(["unrelated_state", "conflicts_principles"]);
});

test("another failure opens the item once more; the same failure again stops it; success ships it and counts as a result", () => {
  const store = new SqliteStore(":memory:");
  const item = dispatched(store, "job_00000003");
  const once = outcome(store, ended(item, "failed", { class: "no_change", message: "nothing changed" }));
  expect(once).toMatchObject({ state: "open", escalation: null });
  store.write(() => workItems(store).updateWorkItem({ ...once, state: "dispatched" }));
  const twice = outcome(store, ended(item, "failed", { class: "no_change", message: "nothing changed" }), 3_000);
  expect(twice).toMatchObject({ state: "blocked", escalation: "stopped" });
  expect(twice.detail.results).toEqual([{ at: 2_000, ok: false }, { at: 3_000, ok: false }]);
  const good = outcome(store, ended(dispatched(store, "job_00000004"), "succeeded"));
  expect(good).toMatchObject({ state: "done" });
  expect(good.detail.results).toEqual([{ at: 2_000, ok: true }]);
});

test("a task cancelled past its wall time stops on the wall-time question and counts as failed; a plain cancel asks the plain one", () => {
  const store = new SqliteStore(":memory:");
  const late = dispatched(store, "job_00000005");
  expect(store.write(() => markOverdue(new WriteContext(store, 1_500), late.id))).toBe("job_00000005");
  const stopped = outcome(store, ended(late, "cancelled"));
  expect(stopped).toMatchObject({ state: "blocked", escalation: "stopped" });
  expect(stopped.question).toContain("ran past the item's wall time");
  expect(stopped.detail.results).toEqual([{ at: 2_000, ok: false }]);
  const plain = outcome(store, ended(dispatched(store, "job_00000006"), "cancelled"));
  expect(plain.question).toContain("was cancelled: dispatch it again");
  expect(plain.detail.results).toBeUndefined();
  // A finished item is never marked.
  expect(store.write(() => markOverdue(new WriteContext(store, 2_500), plain.id))).toBeNull();
});
