import { expect, test } from "bun:test";
import { effectiveFlags, summarizeTests } from "./test-ast.ts";
import { loadTypeScript } from "./test-ts.ts";

const ts = await loadTypeScript();

function summary(text: string) {
  const result = summarizeTests(ts, "a.test.ts", text);
  if (!result.ok) throw new Error(result.reason);
  return result.summary;
}

test("tests are listed by full name and line, with their reachable assertions by strength", () => {
  const s = summary(
    [
      'describe("outer", () => {',
      '  describe("inner", () => {',
      '    it("one", () => { expect(f()).toBe(1); expect(g()).toBeDefined(); expect(true).toBe(true); });',
      "  });",
      '  test.each([1, 2])("two %i", (n) => { assert.equal(f(n), n); });',
      '  test("three", (t) => { t.is(f(), 1); t.pass(); if (false) expect(f()).toBe(2); });',
      '  test("four", runFour);',
      "});",
    ].join("\n"),
  );
  expect(s.suites.map((e) => [e.fullName, e.line])).toEqual([["outer", 1], ["outer > inner", 2]]);
  expect(s.tests.map((e) => [e.fullName, e.line, e.assertions])).toEqual([
    ["outer > inner > one", 3, { strong: 1, weak: 1, trivial: 1 }],
    ["outer > two %i", 5, { strong: 1, weak: 0, trivial: 0 }],
    ["outer > three", 6, { strong: 1, weak: 0, trivial: 1 }],
    ["outer > four", 7, null],
  ]);
  expect(s.hasOnly).toBe(false);
});

test("flags come from the declaration, its options, runtime skips and the suites around it", () => {
  const s = summary(
    [
      'describe.skip("s", () => {',
      '  it("a", () => {});',
      "});",
      'test.only("b", () => {});',
      'test("c", { skip: process.env.CI }, () => {});',
      'test("d", () => { if (isCI) test.skip(); });',
    ].join("\n"),
  );
  expect(s.tests.map((t) => [t.fullName, [...effectiveFlags(t).keys()]])).toEqual([
    ["s > a", ["skipped"]],
    ["b", ["focused"]],
    ["c", ["conditional"]],
    ["d", ["conditional"]],
  ]);
  expect(s.hasOnly).toBe(true);
});

test("calls that only look like tests are not tests", () => {
  const s = summary('iter.skip(2);\nlist.only(1);\ntest.describe.configure({ mode: "serial" });\nconst t = "it.only(";\ntest.extend({});\n');
  expect([s.tests, s.suites]).toEqual([[], []]);
});

test("a syntax error is reported with its line, not thrown", () => {
  expect(summarizeTests(ts, "a.test.ts", 'test("a", () => {\n  expect(1).toBe(1);\n')).toEqual({ ok: false, reason: "line 3: '}' expected." });
  expect(summarizeTests(ts, "a.test.tsx", "test('a', () => { render(<App />); expect(screen).toBeTruthy(); });\n").ok).toBe(true);
});
