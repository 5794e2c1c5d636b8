import { expect, test } from "bun:test";
import { DEFAULT_DEPENDENCY_STEWARD } from "../../config/dependency-steward-settings.ts";
import { fixtureItem } from "../../planning/item-fixture.ts";
import { planWork } from "../../planning/plan.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import type { UpdateGroupRecord } from "../../sources/dependency-updates/deps-scan-result.ts";
import { dependencySteward } from "./index.ts";

const NOW = Date.parse("2026-12-02T10:00:00Z"); // a Wednesday
const BASE = { baseBranch: "main", baseCommit: "a".repeat(40) };
const LIMITS = { dispatch: true, max_in_flight: 4, dispatches_per_hour: 100, dispatches_per_day: 1000, cooldown_after_failures: 3, cooldown_minutes: 30, item_wall_time_minutes: 60, specialists: {} };

const group: UpdateGroupRecord = {
  key: "prod-non-major",
  title: "update dependencies (non-major)",
  tier: "medium",
  updates: [{ name: "lib-a", alias: null, type: "prod", manifestPath: "package.json", kind: "minor", from: "1.0.0", to: "1.1.0", fromRange: "^1.0.0", newRange: "^1.1.0", updateType: "minor", tier: "medium", ageDays: 10 }],
  security: [],
};

function item(over: Partial<WorkItem> = {}, schedule = DEFAULT_DEPENDENCY_STEWARD.schedule): WorkItem {
  return fixtureItem({ type: "dependency_update", title: group.title, risk: "medium", scope: ["package.json", "package-lock.json"], detail: { group, schedule }, ...over });
}

test("a group is one task and one dependency-update job: the item's scope, tier and group, the task as the PR body's opening", () => {
  const it = item();
  const task = dependencySteward.task(it);
  expect(task).toMatchObject({ kind: "dependency-update", specialist: "dependency-steward", risk: "medium", constraints: { scope: ["package.json", "package-lock.json"] } });
  expect(task.definitionOfDone[0]).toBe("1 package(s) at their planned versions: lib-a");
  const input = dependencySteward.jobInput(it, task, BASE) as Record<string, unknown>;
  expect(input).toMatchObject({ title: group.title, group, scope: task.constraints.scope, risk: "medium", ...BASE, rfc: null });
  expect(String(input.body)).toStartWith("**Goal:** update dependencies (non-major)");
});

test("an item without a group is refused, saying how to get one", () => {
  expect(() => dependencySteward.task(item({ detail: {} }))).toThrow(/names no update group.*|pushpals deps scan/);
});

test("outside the schedule the item is held with when the window opens; inside it, not", () => {
  const weekends = { days: ["sat" as const, "sun" as const], hours: [0, 24] as [number, number], timezone: "UTC" };
  expect(dependencySteward.hold!(item({}, weekends), NOW, null)).toMatch(/^outside the schedule .*next window opens 2026-12-05 00:00 UTC/);
  expect(dependencySteward.hold!(item(), NOW, null)).toBeNull();
  const plan = planWork([item({}, weekends)], { now: NOW, pause: null, specialists: [dependencySteward.spec], limits: LIMITS, hold: (i, now) => dependencySteward.hold!(i, now, "main") });
  expect(plan.entries[0]!.holds).toEqual([expect.stringMatching(/^outside the schedule/)]);
});

test("at most 5 steward PRs wait at once; PRs waiting on people do not hold other specialists' work", () => {
  const waiting = [1, 2, 3, 4, 5].map((n) => item({ state: "dispatched", detail: { group, specialist: "dependency-steward", pr: n, dispatchedAt: [NOW - 86_400_000 * 2] } }));
  const next = item();
  const triage = fixtureItem({ type: "red_check", source: "failing_build" });
  const medic = { ...dependencySteward.spec, id: "ci-medic", itemTypes: ["red_check"] };
  const plan = planWork([...waiting, next, triage], { now: NOW, pause: null, specialists: [dependencySteward.spec, medic], limits: LIMITS });
  const holds = Object.fromEntries(plan.entries.map((e) => [e.item.id, e.holds]));
  expect(holds[next.id]).toEqual(["cap: dependency-steward has 5 of 5 items in flight (remote_agent.specialists.dependency-steward.concurrent)"]);
  // Five PRs wait on review, more than remote_agent.max_in_flight: the failing build is still next.
  expect(holds[triage.id]).toEqual([]);
});

test("an item of another branch's scan is never shipped onto this base", () => {
  expect(dependencySteward.hold!(item({ detail: { group, branch: "feature" } }), NOW, "main")).toContain("a dependency scan of feature, not of main");
  expect(dependencySteward.hold!(item({ detail: { group, branch: "main" } }), NOW, "main")).toBeNull();
});
