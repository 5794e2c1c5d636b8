import { expect, test } from "bun:test";
import type { TestSummary } from "../../test-history/test-summary.ts";
import { flakyText, oneLine, percent, shortId } from "./flaky-action.ts";

const NOW = 10_000_000;

function summary(over: Partial<TestSummary>): TestSummary {
  return {
    id: "src/a.test.ts > logs in",
    check: "test",
    runs: 12,
    passes: 9,
    failures: 3,
    skipped: 0,
    flakyCommits: 2,
    brokenCommits: 1,
    score: 0.1234,
    upper90: 0.2,
    consecutivePasses: 4,
    quarantined: false,
    latestStatus: "passed",
    lastFailureMessage: "expected 200, got 500\n    at login (src/a.ts:3)",
    lastFailureAt: NOW - 7_200_000,
    lastSeen: NOW,
    commits: [],
    ...over,
  };
}

test("one row per test: score as a percentage, counts, status, check, id, the last failure on one line", () => {
  const text = flakyText({ tests: [summary({}), summary({ id: "src/b.test.ts > \x1b[2Jtimes out", score: 0.031, quarantined: true, lastFailureMessage: null, lastFailureAt: null })], prior: { failures: 1, passes: 9 }, keptRunsPerTest: 200, keptDays: 90 }, NOW);
  const lines = text.split("\n");
  expect(lines[0]).toMatch(/^SCORE\s+RUNS\s+FAILS\s+FLAKY\s+BROKEN\s+STATUS\s+CHECK\s+TEST\s+LAST FAILURE$/);
  expect(lines[1]).toMatch(/^12%\s+12\s+3\s+2\s+1\s+passed\s+test\s+src\/a\.test\.ts > logs in\s+2h ago: expected 200, got 500…$/);
  // Untrusted text is made visible (no escape sequence reaches the terminal).
  expect(lines[2]).toMatch(/^3\.1%\s+12\s+3\s+2\s+1\s+quarantined\s+test\s+src\/b\.test\.ts > \\x1b\[2Jtimes out\s+-$/);
  expect(lines[3]).toContain("prior Beta(1, 9)");
});

test("no flaky test says so", () => {
  expect(flakyText({ tests: [], prior: { failures: 1, passes: 9 }, keptRunsPerTest: 200, keptDays: 90 }, NOW)).toStartWith("no flaky tests");
});

test("helpers: percent, one line, a long id cut in the middle", () => {
  expect([percent(0), percent(0.0567), percent(0.5)]).toEqual(["0.0%", "5.7%", "50%"]);
  expect(oneLine("x".repeat(100), 10)).toBe(`${"x".repeat(9)}…`);
  expect(oneLine("short")).toBe("short");
  expect(oneLine(null)).toBe("-");
  const id = `${"f".repeat(60)} > ${"n".repeat(60)}`;
  const cut = shortId(id, 21);
  expect(cut).toBe(`${"f".repeat(10)}…${"n".repeat(10)}`);
  expect(shortId("short")).toBe("short");
});
