import { beforeAll, describe, expect, test } from "bun:test";
import { isPushpalsError } from "../core/errors.ts";
import { captureReports, type Captured } from "../../test/fixtures/test-results/run-runners.ts";
import { detectFormat, parseTestReport } from "./detect.ts";

let reports: Captured;
beforeAll(async () => {
  reports = await captureReports();
}, 15_000);

function errorOf(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    return err.toJSON();
  }
  throw new Error("expected a PushpalsError");
}

describe("the format from the content", () => {
  test("each real report is read by its own parser, whatever a runner printed before it", () => {
    expect(detectFormat(reports.nodeJunit)).toBe("junit");
    expect(detectFormat(reports.bunJunit)).toBe("junit");
    expect(detectFormat(reports.nodeTap)).toBe("tap");
    const npm = "\n> pushpals@0.1.0 test\n> node --test\n\n";
    expect(parseTestReport(npm + reports.nodeTap).tests).toEqual(parseTestReport(reports.nodeTap).tests);
    expect(parseTestReport(npm + reports.nodeJunit).format).toBe("junit");
  });

  test("the content wins over a hint; the hint picks the parser (and its message) when the content shows neither", () => {
    expect(parseTestReport(reports.nodeTap, "junit").format).toBe("tap");
    expect(errorOf(() => parseTestReport("", "junit"))).toMatchObject({ code: "invalid_input", message: "the JUnit report is empty", details: { format: "junit", problem: "empty" } });
    expect(errorOf(() => parseTestReport("Segmentation fault\n", "tap"))).toMatchObject({ details: { format: "tap", problem: "not_a_report" } });
    expect(errorOf(() => parseTestReport("Segmentation fault\n"))).toEqual({
      code: "invalid_input",
      message: "the test report is neither JUnit XML nor TAP: no <testsuites>, <testsuite> or TAP line in it",
      hint: "point the check at the runner's JUnit XML or TAP output",
      details: { format: null, problem: "not_a_report" },
    });
  });

  test("a cut JUnit report is an error saying so; a cut TAP stream is a report marked truncated", () => {
    const junit = errorOf(() => parseTestReport(reports.bunJunit.slice(0, reports.bunJunit.length / 2)));
    expect(junit).toMatchObject({ code: "invalid_input", details: { format: "junit", problem: "truncated" } });
    expect(junit.message).toMatch(/^the JUnit report ends inside .+: truncated\?$/);
    expect(junit.hint).toContain("stopped while writing");
    const tap = parseTestReport(reports.nodeTap.slice(0, reports.nodeTap.length / 2));
    expect(tap.truncated).toBe(true);
    expect(tap.tests.length).toBeGreaterThan(0);
  });
});

describe("paths under the checkout", () => {
  test("node names a file that fails to load by its absolute path: relative to the root, in both formats", () => {
    const root = reports.dirs.broken;
    for (const text of [reports.nodeBrokenTap, reports.nodeBrokenJunit]) {
      expect(parseTestReport(text, undefined, { root }).tests).toEqual([
        { id: "broken.test.mjs", file: null, name: "broken.test.mjs", status: "failed", durationMs: expect.any(Number), message: "test failed" },
      ]);
    }
    expect(parseTestReport(reports.nodeBrokenTap).tests[0]!.id).toBe(`${root}/broken.test.mjs`);
  });
});
