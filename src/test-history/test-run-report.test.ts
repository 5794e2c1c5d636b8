import { describe, expect, test } from "bun:test";
import { splitTestRunReport, TestRunReport } from "./test-run-report.ts";

const SHA = "0".repeat(40);

function report(n: number, quarantined: string[] = []): TestRunReport {
  const outcomes = Array.from({ length: n }, (_, i) => ({ id: `src/a.test.ts > case ${i}`, status: i % 7 === 0 ? ("failed" as const) : ("passed" as const), durationMs: i, message: i % 7 === 0 ? `boom ${i}` : null }));
  return TestRunReport.parse({ commit: SHA, check: "test", run: "test#0", tests: { format: "junit", totals: { passed: n, failed: 0, skipped: 0, errored: 0 }, truncated: false, outcomes, quarantined } });
}

describe("TestRunReport", () => {
  test("a check name and a run key are at most 64 characters, the commit a full SHA", () => {
    const ok = report(1);
    expect(TestRunReport.safeParse({ ...ok, check: "x".repeat(65) }).success).toBe(false);
    expect(TestRunReport.safeParse({ ...ok, run: "x".repeat(65) }).success).toBe(false);
    expect(TestRunReport.safeParse({ ...ok, commit: "abc123" }).success).toBe(false);
    expect(TestRunReport.safeParse(ok).success).toBe(true);
  });
});

describe("splitTestRunReport", () => {
  test("a report that fits is sent as it is; one without outcomes is not sent", () => {
    const small = report(3);
    expect(splitTestRunReport(small, 1_000_000)).toEqual([small]);
    expect(splitTestRunReport(report(0), 1_000_000)).toEqual([]);
  });

  test("5000 outcomes in parts each within the limit, every outcome once, in order, quarantined ids with their part", () => {
    const full = report(5000, ["src/a.test.ts > case 0", "src/a.test.ts > case 4998"]);
    const max = 64 * 1024;
    const parts = splitTestRunReport(full, max);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) {
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(max);
      expect(p).toMatchObject({ commit: SHA, check: "test", run: "test#0" });
      expect(p.tests.totals).toEqual(full.tests.totals);
      for (const id of p.tests.quarantined) expect(p.tests.outcomes.some((o) => o.id === id)).toBe(true);
    }
    expect(parts.flatMap((p) => p.tests.outcomes)).toEqual(full.tests.outcomes);
    expect(parts.flatMap((p) => p.tests.quarantined)).toEqual(full.tests.quarantined);
  });

  test("an outcome too large for a part goes alone", () => {
    const r = report(3);
    r.tests.outcomes[1] = { ...r.tests.outcomes[1]!, message: "x".repeat(1500) };
    const parts = splitTestRunReport(r, 1000);
    expect(parts.map((p) => p.tests.outcomes.length)).toEqual([1, 1, 1]);
  });
});
