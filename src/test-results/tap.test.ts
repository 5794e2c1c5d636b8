import { beforeAll, describe, expect, test } from "bun:test";
import { isPushpalsError } from "../core/errors.ts";
import { captureReports, capturedReport, type Captured } from "../../test/fixtures/test-results/run-runners.ts";
import { parseJunit } from "./junit.ts";
import { MAX_REPORT_CHARS } from "./report-error.ts";
import { parseTap } from "./tap.ts";
import { TestReport } from "./test-outcome.ts";

let reports: Captured;
beforeAll(async () => {
  reports = await captureReports();
}, 15_000);

const Q = 'math <&> "q"';
const statuses = (report: TestReport) => {
  expect(TestReport.parse(report)).toEqual(report);
  return Object.fromEntries(report.tests.map((t) => [t.id, t.status]));
};

describe("real streams", () => {
  test("node --test --test-reporter=tap: subtests as the describe path, SKIP and TODO, YAML durations and errors", () => {
    const report = parseTap(reports.nodeTap);
    expect(statuses(report)).toEqual({
      [`${Q} > adds ü 🚀`]: "passed",
      [`${Q} > nested > deep`]: "passed",
      [`${Q} > fails on assert`]: "failed",
      [`${Q} > throws <x> & "y"`]: "failed",
      "skipped one": "skipped",
      "todo one": "skipped",
      "slow one": "passed",
      "slow one (2)": "passed",
      // `\#` in the stream, and no directive.
      "hash # not a directive": "passed",
      // A test with subtests is their group, not an outcome of its own.
      "parent test > child passes": "passed",
      // Its suite's before hook failed (failureType hookFailed): the test never ran.
      "hooked > never runs": "errored",
    });
    const byId = new Map(report.tests.map((t) => [t.id, t]));
    expect(byId.get(`${Q} > fails on assert`)!.message).toBe("Expected values to be strictly equal:\n\n1 !== 2");
    expect(byId.get(`${Q} > throws <x> & "y"`)!.message).toBe('boom <x> & "y"\nsecond line');
    expect(byId.get("hooked > never runs")!.message).toBe("test did not finish before its parent and was cancelled");
    const slow = Math.max(byId.get("slow one")!.durationMs!, byId.get("slow one (2)")!.durationMs!);
    expect(slow).toBeGreaterThanOrEqual(140);
    expect(slow).toBeLessThan(10_000);
    expect(report.tests.every((t) => t.file === null && t.durationMs !== null)).toBe(true);
    expect(report.totals).toEqual({ passed: 6, failed: 2, skipped: 2, errored: 1 });
    expect(report.truncated).toBe(false);
  });

  test("node's TAP and node's JUnit of the same tests give the same ids, statuses and messages", () => {
    const pick = (r: TestReport) => r.tests.map((t) => [t.id.replace(/ \(2\)$/, ""), t.status, t.message]).sort();
    expect(pick(parseTap(reports.nodeTap))).toEqual(pick(parseJunit(reports.nodeJunit)));
  });

  test("mocha --reporter tap (captured): flat full titles, `# SKIP -`, the error from its indented lines", () => {
    const report = parseTap(capturedReport("mocha.tap"));
    expect(statuses(report)).toEqual({
      "skipped one": "skipped",
      "todo one": "skipped",
      "slow one": "passed",
      "hash not a directive": "passed", // mocha drops the "#" itself
      [`${Q} adds ü 🚀`]: "passed",
      [`${Q} fails on assert`]: "failed",
      [`${Q} throws <x> & "y"`]: "failed",
      [`${Q} nested deep`]: "passed",
    });
    expect(report.tests.find((t) => t.id === `${Q} throws <x> & "y"`)!.message).toStartWith('boom <x> & "y"\nsecond line');
    expect(report.truncated).toBe(false);
  });
});

describe("streams cut short: the tests so far, truncated", () => {
  test("every cut of node's stream keeps what was said so far, each test as in the whole stream", () => {
    const whole = new Map(parseTap(reports.nodeTap).tests.map((t) => [t.id, t.status]));
    const plan = reports.nodeTap.lastIndexOf("\n1..") + 1;
    for (let cut = "TAP version 13\n".length; cut < plan; cut += 5) {
      const part = parseTap(reports.nodeTap.slice(0, cut));
      if (!part.truncated) throw new Error(`cut at ${cut} not seen as truncated`);
      part.tests.forEach((t, i) => {
        // The last test's diagnostics may be cut before node's failureType, which tells errored from failed.
        const cutShort = i === part.tests.length - 1 && t.status === "failed" && whole.get(t.id) === "errored";
        if (whole.get(t.id) !== t.status && !cutShort) throw new Error(`cut at ${cut}: ${t.id} ${t.status}`);
      });
    }
  });

  test("a cut inside a describe block keeps its subtests under its name, from the `# Subtest:` line", () => {
    const cut = reports.nodeTap.indexOf("# Subtest: nested");
    const report = parseTap(reports.nodeTap.slice(0, reports.nodeTap.indexOf("\n", reports.nodeTap.indexOf("ok 1 - deep", cut)) + 1));
    expect(report.truncated).toBe(true);
    expect(report.tests.map((t) => t.id)).toEqual([`${Q} > adds ü 🚀`, `${Q} > nested > deep`]);
  });

  test("a last line without its line break is not read as a test when the stream is incomplete", () => {
    const at = reports.nodeTap.indexOf("ok 1 - adds ü");
    const report = parseTap(reports.nodeTap.slice(0, at + "ok 1 - add".length));
    expect(report).toMatchObject({ truncated: true, tests: [] });
  });

  test("Bail out! stops the stream: the tests before it, truncated", () => {
    const at = reports.nodeTap.indexOf("# Subtest: skipped one");
    const bailed = `${reports.nodeTap.slice(0, at)}Bail out! database went away\n${reports.nodeTap.slice(at)}`;
    const report = parseTap(bailed);
    expect(report.truncated).toBe(true);
    expect(report.tests.map((t) => t.id)).toEqual(parseTap(reports.nodeTap).tests.slice(0, 4).map((t) => t.id));
  });

  test("a YAML block never closed, and a plan the stream does not meet", () => {
    expect(parseTap("TAP version 13\nok 1 - a\n  ---\n  duration_ms: 3\n")).toMatchObject({ truncated: true, tests: [{ id: "a", durationMs: 3 }] });
    expect(parseTap("TAP version 13\n1..3\nok 1 - a\nnot ok 2 - b\n")).toMatchObject({ truncated: true, totals: { passed: 1, failed: 1 } });
    expect(parseTap("1..2\nok 1 - a\nok 2 - b # time=12.6ms\n")).toMatchObject({ truncated: false, tests: [{ id: "a" }, { id: "b", durationMs: 13 }] });
  });

  test("an oversized stream is read up to the limit, truncated", () => {
    const padding = "# log line\n".repeat(Math.ceil(MAX_REPORT_CHARS / 11));
    const report = parseTap(`TAP version 13\nok 1 - before\n${padding}ok 2 - after\n1..2\n`);
    expect(report.truncated).toBe(true);
    expect(report.tests.map((t) => t.id)).toEqual(["before"]);
  });
});

describe("not TAP", () => {
  test("text with no TAP line in it, or none at all, is an invalid_input error", () => {
    for (const [text, problem] of [["build failed: 3 errors\n", "not_a_report"], ["\n \n", "empty"]] as const) {
      try {
        parseTap(text);
        throw new Error("expected an error");
      } catch (err) {
        expect(isPushpalsError(err, "invalid_input")).toBe(true);
        expect((err as { details: { problem: string } }).details.problem).toBe(problem);
      }
    }
  });

  test("a hostile YAML block (aliases that expand) is dropped, the test line stands", () => {
    const yaml = ["  ---", '  a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 12 }, (_, i) => `  b${i}: &b${i} [*${i === 0 ? "a" : `b${i - 1}`},*${i === 0 ? "a" : `b${i - 1}`}]`), "  error: boom", "  ..."];
    const report = parseTap(["TAP version 13", "not ok 1 - bomb", ...yaml, "1..1", ""].join("\n"));
    expect(report.tests).toEqual([{ id: "bomb", file: null, name: "bomb", status: "failed", durationMs: null, message: null }]);
  });
});
