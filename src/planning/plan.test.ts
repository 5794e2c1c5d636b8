import { expect, test } from "bun:test";
import type { Specialist } from "./specialist.ts";
import { planWork } from "./plan.ts";
import { fixtureItem } from "./item-fixture.ts";

const item = fixtureItem;

const fixer: Specialist = { id: "ci-medic", name: "CI Medic", version: "1", itemTypes: ["red_check"], kinds: ["run"], role: "ci-medic", needsModel: false, limits: { concurrent: 1, dispatchesPerHour: 6, dispatchesPerDay: 50 } };

test("a directive outranks a failing build, which outranks the backlog; within a source priority, then age", () => {
  const oldBacklog = item({ title: "old backlog", createdAt: 10 });
  const urgentBacklog = item({ title: "urgent backlog", priority: 90, createdAt: 500 });
  const red = item({ source: "failing_build", type: "red_check", title: "red", createdAt: 900 });
  const directive = item({ source: "directive", type: "directive", title: "directive", state: "blocked", question: "which?", createdAt: 999 });
  const newBacklog = item({ title: "new backlog", createdAt: 20 });
  const plan = planWork([oldBacklog, urgentBacklog, red, newBacklog, directive], { now: 2_000, pause: null, specialists: [fixer] });
  expect(plan.entries.map((e) => e.item.title)).toEqual(["directive", "red", "urgent backlog", "old backlog", "new backlog"]);
  expect(plan.entries.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5]);
  expect(plan.entries[1]!.why).toBe("failing build (source 2 of 5), priority 50, waiting 1s");
});

test("each entry says what holds it: a person's answer, the pause, a missing specialist; none when it would go next", () => {
  const red = item({ source: "failing_build", type: "red_check" });
  const task = item({});
  const asked = item({ source: "directive", type: "directive", state: "blocked", question: "which page?" });
  const free = planWork([red, task, asked], { now: 5_000, pause: null, specialists: [fixer] });
  const holds = Object.fromEntries(free.entries.map((e) => [e.item.id, e.holds]));
  expect(holds[red.id]).toEqual([]);
  expect(free.entries.find((e) => e.item.id === red.id)!.specialist).toBe("ci-medic");
  expect(holds[task.id]).toEqual(["missing capability: no specialist takes backlog_task items yet"]);
  expect(holds[asked.id]).toEqual(["waiting on a person: which page?", "missing capability: no specialist takes directive items yet"]);
  expect(free.questions).toEqual([{ item: asked.id, question: "which page?", escalation: null }]);
  const paused = planWork([red], { now: 5_000, pause: { by: "os:alice", reason: "release freeze" }, specialists: [fixer] });
  expect(paused.paused).toBe(true);
  expect(paused.entries[0]!.holds).toEqual(["paused by os:alice: release freeze"]);
});

test("done and dropped items are not candidates", () => {
  const plan = planWork([item({ state: "done" }), item({ state: "dropped" }), item({ title: "live" })], { now: 5_000, pause: null, specialists: [fixer] });
  expect(plan.entries.map((e) => e.item.title)).toEqual(["live"]);
});

test("caps hold a specialist's next item: items in flight, and dispatches in the last hour", () => {
  const inFlight = [1, 2].map(() => item({ type: "red_check", state: "dispatched", detail: { specialist: "ci-medic", dispatchedAt: [4_000] } }));
  const next = item({ type: "red_check", source: "failing_build" });
  const held = planWork([...inFlight, next], { now: 5_000, pause: null, specialists: [{ ...fixer, limits: { concurrent: 2, dispatchesPerHour: 6, dispatchesPerDay: 50 } }] });
  expect(held.entries.find((e) => e.item.id === next.id)!.holds).toEqual(["cap: ci-medic has 2 of 2 items in flight (remote_agent.specialists.ci-medic.concurrent)"]);
  const done = Array.from({ length: 6 }, () => item({ type: "red_check", state: "done", detail: { specialist: "ci-medic", dispatchedAt: [4_000] } }));
  const hourly = planWork([...done, next], { now: 5_000, pause: null, specialists: [fixer] });
  expect(hourly.entries.find((e) => e.item.id === next.id)!.holds).toEqual(["cap: ci-medic was dispatched 6 times in the last hour (remote_agent.specialists.ci-medic.dispatches_per_hour = 6)"]);
  // An hour later the dispatches no longer count.
  const later = planWork([...done, next], { now: 5_000 + 3_600_000, pause: null, specialists: [fixer] });
  expect(later.entries.find((e) => e.item.id === next.id)!.holds).toEqual([]);
});
