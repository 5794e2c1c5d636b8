import { expect, test } from "bun:test";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { JobService } from "../jobs/job-service.ts";
import { parseJobInput } from "../kinds/registry.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { fixtureItem } from "./item-fixture.ts";
import { recordTaskOutcome } from "./task-outcome.ts";
import { sweepOverdue } from "./wall-time.ts";
import { workItems } from "./work-items.ts";

test("the server's sweep cancels a task past the item's wall time, and the item stops on the wall-time question; a second sweep does nothing more", () => {
  const store = new SqliteStore(":memory:");
  let now = 1_000_000;
  const jobs = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: parseJobInput, now: () => now });
  jobs.onTransition((ctx, job) => recordTaskOutcome(ctx, job));
  const item = fixtureItem({ state: "dispatched", detail: { attempt: 1, specialist: "codemod-runner" } });
  const { job } = jobs.enqueue({ kind: "noop", input: {}, actor: "os:alice", dedupeKey: `task:${item.id}:1` });
  store.write(() => workItems(store).insertWorkItem({ ...item, detail: { ...item.detail, job: job.id, dispatchedAt: [now] } }));

  now += 59 * 60_000;
  expect(sweepOverdue(jobs, { item_wall_time_minutes: 60 }, now)).toBe(0);
  now += 2 * 60_000;
  expect(sweepOverdue(jobs, { item_wall_time_minutes: 60 }, now)).toBe(1);
  expect(store.getJob(job.id)!.state).toBe("cancelled");
  const stopped = workItems(store).getWorkItem(item.id)!;
  expect(stopped).toMatchObject({ state: "blocked", escalation: "stopped" });
  expect(stopped.question).toContain("ran past the item's wall time");
  expect(sweepOverdue(jobs, { item_wall_time_minutes: 60 }, now + 60_000)).toBe(0);
  expect(store.auditOfActions(["work_item.overdue"], 0, 10)).toHaveLength(1);
});
