import { beforeAll, describe, expect, test } from "bun:test";
import { isPushpalsError } from "../core/errors.ts";
import { captureReports, capturedReport, MOCHA_CAPTURE_DIR, type Captured } from "../../test/fixtures/test-results/run-runners.ts";
import { parseJunit } from "./junit.ts";
import { MAX_REPORT_CHARS } from "./report-error.ts";
import { TestReport } from "./test-outcome.ts";

let reports: Captured;
beforeAll(async () => {
  reports = await captureReports();
}, 15_000);

/** id -> [status, message] of a parsed report (and the report checked against its schema). */
function verdicts(report: TestReport): Record<string, [string, string | null]> {
  expect(TestReport.parse(report)).toEqual(report);
  return Object.fromEntries(report.tests.map((t) => [t.id, [t.status, t.message]]));
}

function problemOf(run: () => unknown): { code: string; problem: unknown; message: string } {
  try {
    run();
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    return { code: err.code, problem: err.details?.problem, message: err.message };
  }
  throw new Error("expected a PushpalsError");
}

const Q = 'math <&> "q"';

describe("real reports", () => {
  test("node --test --test-reporter=junit: describe path as the name, no file, node's own escaping undone", () => {
    const report = parseJunit(reports.nodeJunit);
    expect(verdicts(report)).toEqual({
      [`${Q} > adds ü 🚀`]: ["passed", null],
      [`${Q} > nested > deep`]: ["passed", null],
      [`${Q} > fails on assert`]: ["failed", "Expected values to be strictly equal:\n\n1 !== 2"],
      [`${Q} > throws <x> & "y"`]: ["failed", 'boom <x> & "y"\nsecond line'],
      "skipped one": ["skipped", null],
      "todo one": ["skipped", null],
      // Node names no file: the same name in two files is told apart only by report order (files that run in parallel
      // report in the order they finish, so under concurrency the " (2)" can move; these run one at a time).
      "slow one": ["passed", null],
      "slow one (2)": ["passed", null],
      "hash # not a directive": ["passed", null],
      "parent test > child passes": ["passed", null],
      "hooked > never runs": ["errored", "test did not finish before its parent and was cancelled"],
    });
    expect(report.tests.every((t) => t.file === null)).toBe(true);
    expect(report.totals).toEqual({ passed: 6, failed: 2, skipped: 2, errored: 1 });
    expect(report.truncated).toBe(false);
    const slow = Math.max(...report.tests.filter((t) => t.name === "slow one").map((t) => t.durationMs!));
    expect(slow).toBeGreaterThanOrEqual(140);
    expect(slow).toBeLessThan(10_000);
  });

  test("bun test --reporter=junit: the file from the report, nested describe suites, bun's hook failure", () => {
    const report = parseJunit(reports.bunJunit);
    expect(verdicts(report)).toEqual({
      [`sample.test.mjs > ${Q} > adds ü 🚀`]: ["passed", null],
      [`sample.test.mjs > ${Q} > nested > deep`]: ["passed", null],
      [`sample.test.mjs > ${Q} > fails on assert`]: ["failed", "expect(received).toBe(expected)\n\nExpected: 2\nReceived: 1"],
      [`sample.test.mjs > ${Q} > throws <x> & "y"`]: ["failed", 'boom <x> & "y"\nsecond line'],
      "sample.test.mjs > skipped one": ["skipped", null],
      "sample.test.mjs > todo one": ["skipped", null],
      "sample.test.mjs > slow one": ["passed", null],
      "sample.test.mjs > hash # not a directive": ["passed", null],
      // Bun reports a failed beforeAll as a test of its own and leaves out the tests it stopped.
      "sample.test.mjs > hooked > (unnamed)": ["failed", "hook fails"],
      "second.test.mjs > slow one": ["passed", null],
    });
    const slow = report.tests.find((t) => t.id === "sample.test.mjs > slow one")!;
    expect(slow.file).toBe("sample.test.mjs");
    expect(slow.name).toBe("slow one");
    expect(slow.durationMs).toBeGreaterThanOrEqual(140);
    expect(report.totals).toEqual({ passed: 5, failed: 3, skipped: 2, errored: 0 });
  });

  test("vitest --reporter=junit (captured): the file as the suite, the describe path already in the name", () => {
    const report = parseJunit(capturedReport("vitest-junit.xml"));
    expect(verdicts(report)).toEqual({
      [`sample.test.mjs > ${Q} > adds ü 🚀`]: ["passed", null],
      [`sample.test.mjs > ${Q} > nested > deep`]: ["passed", null],
      [`sample.test.mjs > ${Q} > fails on assert`]: ["failed", "expected 1 to be 2 // Object.is equality"],
      [`sample.test.mjs > ${Q} > throws <x> & "y"`]: ["failed", 'boom <x> & "y"\nsecond line'],
      "sample.test.mjs > skipped one": ["skipped", null],
      "sample.test.mjs > todo one": ["skipped", null],
      "sample.test.mjs > slow one": ["passed", null],
      "sample.test.mjs > hash # not a directive": ["passed", null],
    });
    expect(report.tests.find((t) => t.name === "slow one")!.durationMs).toBeGreaterThanOrEqual(140);
  });

  test("jest-junit (captured): the message is the failure's text without its stack; a todo it reports as passed", () => {
    const report = parseJunit(capturedReport("jest-junit.xml"));
    expect(verdicts(report)).toEqual({
      [`sample.test.js > ${Q} adds ü 🚀`]: ["passed", null],
      [`sample.test.js > ${Q} nested deep`]: ["passed", null],
      [`sample.test.js > ${Q} fails on assert`]: ["failed", "Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 2\nReceived: 1"],
      [`sample.test.js > ${Q} throws <x> & "y"`]: ["failed", 'Error: boom <x> & "y"\nsecond line'],
      "sample.test.js > skipped one": ["skipped", null],
      "sample.test.js > todo one": ["passed", null],
      "sample.test.js > slow one": ["passed", null],
      "sample.test.js > hash # not a directive": ["passed", null],
    });
  });

  test("mocha-junit-reporter and mocha's xunit (captured): absolute paths made relative to the root", () => {
    const junit = parseJunit(capturedReport("mocha-junit.xml"), { root: MOCHA_CAPTURE_DIR });
    expect(verdicts(junit)).toEqual({
      // Its "Root Suite" names no file, and it leaves skipped tests out.
      "slow one": ["passed", null],
      "hash # not a directive": ["passed", null],
      [`sample.test.mjs > ${Q} adds ü 🚀`]: ["passed", null],
      [`sample.test.mjs > ${Q} fails on assert`]: ["failed", "Expected values to be strictly equal:\n\n1 !== 2"],
      [`sample.test.mjs > ${Q} throws <x> & "y"`]: ["failed", 'boom <x> & "y"\nsecond line'],
      [`sample.test.mjs > ${Q} nested deep`]: ["passed", null],
    });
    const xunit = parseJunit(capturedReport("mocha-xunit.xml"), { root: MOCHA_CAPTURE_DIR });
    const ids = xunit.tests.map((t) => t.id);
    // Character references throughout (&#x1F680;): decoded like the five named entities.
    expect(ids).toContain(`sample.test.mjs > ${Q} > adds ü 🚀`);
    expect(ids).toContain(`sample.test.mjs > ${Q} nested > deep`);
    expect(xunit.totals).toEqual({ passed: 4, failed: 2, skipped: 2, errored: 0 });
    expect(xunit.tests.find((t) => t.name.endsWith("throws <x> & \"y\""))!.message).toStartWith('boom <x> & "y"\nsecond line');
  });
});

describe("reports that cannot be read", () => {
  test("every cut of a real report is told as truncated, naming where it ends", () => {
    for (const xml of [reports.nodeJunit, reports.bunJunit, capturedReport("vitest-junit.xml")]) {
      const end = xml.lastIndexOf("</testsuites>");
      const middle = problemOf(() => parseJunit(xml.slice(0, Math.floor(xml.length / 2))));
      expect(middle.code).toBe("invalid_input");
      expect(middle.problem).toBe("truncated");
      expect(middle.message).toMatch(/^the JUnit report ends inside .+ at line \d+\)?: truncated\?$/);
      for (let cut = xml.indexOf(">", xml.indexOf("<testsuites")) + 1; cut < end + "</testsuites".length; cut += 7) {
        const { problem, message } = problemOf(() => parseJunit(xml.slice(0, cut)));
        if (problem !== "truncated") throw new Error(`cut at ${cut}: ${message}`);
      }
    }
  });

  test("a cut inside a test case names it and its line; a cut inside a tag names the tag", () => {
    const xml = reports.bunJunit;
    const at = xml.indexOf("<failure");
    const line = xml.slice(0, xml.lastIndexOf("<testcase", at)).split("\n").length;
    expect(problemOf(() => parseJunit(xml.slice(0, at))).message).toBe(`the JUnit report ends inside <testcase> (opened at line ${line}): truncated?`);
    expect(problemOf(() => parseJunit(xml.slice(0, at + 12))).message).toBe(`the JUnit report ends inside the <failure> tag at line ${line + 1}: truncated?`);
  });

  test("malformed XML: the validator's message and where", () => {
    const xml = reports.bunJunit.replace("</testcase>", "</testcasex>");
    const { code, problem, message } = problemOf(() => parseJunit(xml));
    expect([code, problem]).toEqual(["invalid_input", "malformed"]);
    expect(message).toMatch(/^the JUnit report is not well-formed XML at line \d+, column \d+: Expected closing tag 'testcase'/);
    expect(problemOf(() => parseJunit('<testsuites><testcase name="a" time="1"/><<</testsuites>')).problem).toBe("malformed");
  });

  test("XML that is not JUnit, an empty report", () => {
    expect(problemOf(() => parseJunit('<?xml version="1.0"?>\n<html><body/></html>'))).toEqual({
      code: "invalid_input",
      problem: "not_a_report",
      message: "the XML is not a JUnit report: its root element is <html>, not <testsuites> or <testsuite>",
    });
    expect(problemOf(() => parseJunit(" \n")).problem).toBe("empty");
  });

  test("a billion-laughs DOCTYPE is refused; one before a root with no XML declaration is skipped, never expanded", () => {
    const entities = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`)];
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [${entities.join("")}]>\n<testsuites><testsuite name="s"><testcase name="&lol9;" time="0"/></testsuite></testsuites>`;
    const started = performance.now();
    expect(problemOf(() => parseJunit(bomb))).toMatchObject({ code: "invalid_input", problem: "doctype" });
    const noDeclaration = bomb.replace('<?xml version="1.0"?>\n', "");
    const report = parseJunit(noDeclaration);
    expect(report.tests.map((t) => t.name)).toEqual(["&lol9;"]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("an oversized report is refused before it is parsed", () => {
    const huge = `<testsuites>${" ".repeat(MAX_REPORT_CHARS)}</testsuites>`;
    const { code, problem, message } = problemOf(() => parseJunit(huge));
    expect([code, problem]).toEqual(["payload_too_large", "too_large"]);
    expect(message).toBe("the JUnit report is 16.0 MiB, over the 16.0 MiB limit");
  });
});

describe("what runners print around the XML, and JUnit's own elements", () => {
  test("npm's header before and a summary after the document are ignored", () => {
    const wrapped = `\n> pushpals@0.1.0 test\n> node --test --test-reporter=junit\n\n${reports.nodeJunit}\nnpm error Test failed.\n`;
    expect(parseJunit(wrapped).tests).toEqual(parseJunit(reports.nodeJunit).tests);
  });

  test("<error> is errored; a classname that says more than the name (surefire, pytest) is part of the id", () => {
    const report = parseJunit(
      `<testsuite name="com.example.CartTest" tests="2"><testcase classname="com.example.CartTest" name="addsItem" time="1,234.5"><error message="NullPointerException"/></testcase>` +
        `<testcase classname="com.example.CartTest" name="empties" time="x"/></testsuite>`,
    );
    expect(report.tests).toEqual([
      { id: "com.example.CartTest > addsItem", file: null, name: "com.example.CartTest > addsItem", status: "errored", durationMs: 1234500, message: "NullPointerException" },
      { id: "com.example.CartTest > empties", file: null, name: "com.example.CartTest > empties", status: "passed", durationMs: null, message: null },
    ]);
  });

  test("an overlong message and name are bounded", () => {
    const long = "é".repeat(5000);
    const report = parseJunit(`<testsuites><testsuite name="a.test.ts"><testcase name="${long}"><failure message="${long}"/></testcase></testsuite></testsuites>`);
    expect(TestReport.parse(report).tests[0]!.message!.length).toBe(2000);
    expect(report.tests[0]!.name.length).toBe(1000);
  });
});
