import { expect, test } from "bun:test";
import { WriteContext } from "../jobs/transition.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { fixtureItem } from "./item-fixture.ts";
import { recordTaskOutcome } from "./task-outcome.ts";
import { markOverdue } from "./wall-time.ts";
import type { SpecialistPlugin } from "./specialist.ts";
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

/** A test specialist that splits a task by its scope's globs, one part each (a real one: the Dependency Steward's groups). */
const splitter: SpecialistPlugin = {
  spec: { id: "splitter", name: "Splitter", version: "1", itemTypes: ["parts"], kinds: ["run"], role: "codemod", needsModel: false, limits: { concurrent: 1, dispatchesPerHour: 10, dispatchesPerDay: 10 } },
  task: () => {
    throw new Error("not dispatched in this test");
  },
  jobInput: () => ({}),
  split: (item) => item.scope.map((glob) => ({ title: `${item.title} (${glob})`, scope: [glob], detail: { command: item.detail.command } })),
};

function splittable(store: SqliteStore, scope: string[], extra: Record<string, unknown> = {}): WorkItem {
  const item = fixtureItem({ state: "dispatched", type: "parts", scope, detail: { job: `job_${String(scope.length).padStart(8, "0")}`, attempt: 1, specialist: "splitter", command: "fix", ...extra } });
  store.write(() => workItems(store).insertWorkItem(item));
  return item;
}

test("a failed task is split once by its specialist: new items of the same requester, the item done, split; a part is never split again", () => {
  const store = new SqliteStore(":memory:");
  const item = splittable(store, ["src/a/**", "src/b/**"]);
  store.write(() => recordTaskOutcome(new WriteContext(store, 2_000), ended(item, "failed", { class: "checks_failed", message: "unit failed" }), [splitter]));
  const parent = workItems(store).getWorkItem(item.id)!;
  expect(parent).toMatchObject({ state: "done", detail: { resplit: "split" } });
  const parts = (parent.detail.splitInto as string[]).map((id) => workItems(store).getWorkItem(id)!);
  expect(parts.map((p) => [p.title, p.scope, p.state, p.createdBy, p.detail.splitFrom])).toEqual([
    [`${item.title} (src/a/**)`, ["src/a/**"], "open", item.createdBy, item.id],
    [`${item.title} (src/b/**)`, ["src/b/**"], "open", item.createdBy, item.id],
  ]);
  // A part that fails is tried once more like any task, never split again.
  const part = { ...parts[0]!, state: "dispatched" as const, detail: { ...parts[0]!.detail, job: "job_00000099", specialist: "splitter" } };
  store.write(() => workItems(store).updateWorkItem(part));
  store.write(() => recordTaskOutcome(new WriteContext(store, 3_000), { ...ended(part, "failed", { class: "checks_failed", message: "unit failed" }), dedupeKey: `task:${part.id}:1` } as Job, [splitter]));
  expect(workItems(store).getWorkItem(part.id)).toMatchObject({ state: "open", detail: { failures: 1 } });
});

test("one part re-scopes the item in place, once; the machine's state or a policy refusal is never split", () => {
  const store = new SqliteStore(":memory:");
  const item = splittable(store, ["src/**"]);
  store.write(() => recordTaskOutcome(new WriteContext(store, 2_000), ended(item, "failed", { class: "no_change", message: "nothing" }), [splitter]));
  expect(workItems(store).getWorkItem(item.id)).toMatchObject({ state: "open", title: `${item.title} (src/**)`, detail: { resplit: "rescoped" } });
  const env = splittable(store, ["a/**", "b/**", "c/**"]);
  store.write(() => recordTaskOutcome(new WriteContext(store, 2_000), ended(env, "failed", { class: "environment", message: "no git" }), [splitter]));
  expect(workItems(store).getWorkItem(env.id)).toMatchObject({ state: "blocked", escalation: "unrelated_state" });
});

test("a planner's one task is the item itself: its title, scope, labels and a tier never below the item's; an RFC named for the directive is dropped", () => {
  const store = new SqliteStore(":memory:");
  const planner = { spec: { id: "planner" }, onSuccess: () => ({ plan: [{ title: "fold parsers", scope: ["src/p/**"], labels: ["refactor"], risk: "low", notes: "Definition of done: one", detail: { planned: true } }], why: "planned" }) } as unknown as SpecialistPlugin;
  const item = fixtureItem({ state: "dispatched", type: "directive", risk: "medium", detail: { job: "job_00000077", attempt: 1, specialist: "planner", rfc: 4, rfcNamedBy: "os:alice" } });
  store.write(() => workItems(store).insertWorkItem(item));
  store.write(() => recordTaskOutcome(new WriteContext(store, 2_000), ended(item, "succeeded"), [planner]));
  const planned = workItems(store).getWorkItem(item.id)!;
  expect(planned).toMatchObject({ state: "open", title: "fold parsers", scope: ["src/p/**"], labels: ["refactor"], risk: "medium", notes: "Definition of done: one", detail: { planned: true } });
  expect(planned.detail.rfc).toBeUndefined();
  expect(planned.detail.rfcNamedBy).toBeUndefined();
});
