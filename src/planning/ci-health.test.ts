import { expect, test } from "bun:test";
import { ciHealth } from "./ci-health.ts";
import { fixtureItem } from "./item-fixture.ts";

const at = 1_000;
const red = (state: "done" | "blocked" | "dropped" | "open", detail: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  fixtureItem({ source: "failing_build", type: "red_check", state, detail, createdAt: at, updatedAt: at, ...extra });

test("the report's CI health: found, fixed by kind, quarantined, green again, and what waits on a person", () => {
  const items = [
    red("done", { task: { kind: "revert" }, pr: 3 }),
    red("done", { task: { kind: "ci-fix" }, pr: 4 }),
    red("done", { task: { kind: "quarantine" }, pr: 5 }),
    red("done", { greenCommit: "a".repeat(40) }),
    red("blocked", { task: { kind: "triage" } }, { title: "unit is red on main", question: "unit's rerun ran past its time limit" }),
    fixtureItem({ source: "failing_build", type: "quarantined_test_passing", state: "done", detail: { task: { kind: "quarantine" }, pr: 6 }, createdAt: at, updatedAt: at }),
    // Outside the window, or another source's: not counted.
    red("done", { task: { kind: "revert" }, pr: 7 }, { createdAt: 10, updatedAt: 10 }),
    fixtureItem({ source: "backlog", type: "backlog_task", state: "blocked", detail: {}, createdAt: at, updatedAt: at, question: "?" }),
  ];
  const health = ciHealth(items, 500, 2_000);
  expect(health).toMatchObject({ found: 5, fixed: { revert: 1, "ci-fix": 1 }, quarantined: 1, unquarantined: 1, resolvedByGreen: 1 });
  expect(health.couldNotFix).toEqual([{ item: items[4]!.id, title: "unit is red on main", why: "unit's rerun ran past its time limit" }]);
});
