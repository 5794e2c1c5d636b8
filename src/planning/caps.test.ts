import { expect, test } from "bun:test";
import { DEFAULT_CONFIG } from "../config/schema.ts";
import type { Specialist } from "./specialist.ts";
import { capHolds, coolDownHolds, overallHolds, type DispatchLimits } from "./caps.ts";
import { fixtureItem } from "./item-fixture.ts";
import { overdueItems } from "./wall-time.ts";

const HOUR = 3_600_000;
const LIMITS: DispatchLimits = { ...DEFAULT_CONFIG.remote_agent, cooldown_after_failures: 2, cooldown_minutes: 10 };
const medic: Specialist = { id: "ci-medic", name: "CI Medic", version: "1", itemTypes: ["red_check"], kinds: ["run"], role: "codemod", needsModel: false, limits: { concurrent: 3, dispatchesPerHour: 10, dispatchesPerDay: 12 } };

const finished = (results: { at: number; ok: boolean }[], specialist = "ci-medic") => fixtureItem({ state: "done", detail: { specialist, results } });

test("a cool-down follows failed tasks in a row, per specialist and overall, until cooldown_minutes after the last; a success ends it", () => {
  const failedTwice = [finished([{ at: 1_000, ok: false }]), finished([{ at: 2_000, ok: false }])];
  const held = coolDownHolds(failedTwice, "ci-medic", 3_000, LIMITS);
  expect(held).toHaveLength(1);
  expect(held[0]).toContain("cool-down: the last 2 tasks of ci-medic failed; dispatch resumes at 1970-01-01T00:10:02.000Z");
  expect(capHolds(failedTwice, medic, 3_000, LIMITS).some((h) => h.startsWith("cool-down"))).toBe(true);
  expect(overallHolds(failedTwice, LIMITS, 3_000).some((h) => h.includes("of every specialist failed"))).toBe(true);
  expect(coolDownHolds(failedTwice, "ci-medic", 2_000 + 10 * 60_000, LIMITS)).toEqual([]);
  // One failure is not yet a streak; a success after the failures ends it.
  expect(coolDownHolds(failedTwice.slice(1), "ci-medic", 3_000, LIMITS)).toEqual([]);
  expect(coolDownHolds([...failedTwice, finished([{ at: 2_500, ok: true }])], "ci-medic", 3_000, LIMITS)).toEqual([]);
  // Results are ordered by time across items, not by item.
  expect(coolDownHolds([finished([{ at: 2_500, ok: true }]), ...failedTwice], "ci-medic", 3_000, LIMITS)).toEqual([]);
});

test("dispatches per day count, and [remote_agent.specialists.<id>] overrides what the specialist declares", () => {
  const now = 30 * HOUR;
  const spread = Array.from({ length: 12 }, (_, i) => fixtureItem({ state: "done", detail: { specialist: "ci-medic", dispatchedAt: [now - (i + 2) * HOUR] } }));
  expect(capHolds(spread, medic, now, LIMITS)).toEqual(["cap: ci-medic was dispatched 12 times in the last day (remote_agent.specialists.ci-medic.dispatches_per_day = 12)"]);
  expect(capHolds(spread, medic, now, { ...LIMITS, specialists: { "ci-medic": { dispatches_per_day: 13 } } })).toEqual([]);
  const inFlight = [1, 2].map(() => fixtureItem({ state: "dispatched", detail: { specialist: "ci-medic" } }));
  expect(capHolds(inFlight, medic, now, { ...LIMITS, specialists: { "ci-medic": { concurrent: 2 } } })).toEqual(["cap: ci-medic has 2 of 2 items in flight (remote_agent.specialists.ci-medic.concurrent)"]);
  expect(overallHolds(spread, { ...LIMITS, dispatches_per_day: 12 }, now)).toEqual(["cap: 12 dispatches in the last day (remote_agent.dispatches_per_day = 12)"]);
});

test("an item dispatched longer ago than item_wall_time_minutes is overdue; a finished or younger one is not", () => {
  const now = 10 * HOUR;
  const old = fixtureItem({ state: "dispatched", detail: { job: "job_1", dispatchedAt: [now - 61 * 60_000] } });
  const young = fixtureItem({ state: "dispatched", detail: { job: "job_2", dispatchedAt: [now - 59 * 60_000] } });
  const done = fixtureItem({ state: "done", detail: { job: "job_3", dispatchedAt: [now - 5 * HOUR] } });
  // Redispatched: the last dispatch counts.
  const again = fixtureItem({ state: "dispatched", detail: { job: "job_4", dispatchedAt: [now - 5 * HOUR, now - 60_000] } });
  expect(overdueItems([old, young, done, again], now, { item_wall_time_minutes: 60 }).map((i) => i.detail.job)).toEqual(["job_1"]);
});
