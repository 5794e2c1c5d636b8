import { describe, expect, test } from "bun:test";
import { changedFile, deletedFile, inputFor } from "../review-fixture.ts";
import { change, reviewRows as rows, type Row, type Side } from "./tests-fixture.ts";
import { testsReviewer } from "./tests-reviewer.ts";

const SPEC = "src/math.test.ts";
const BASE = `import { describe, expect, test } from "bun:test";
describe("math", () => {
  test("adds", () => {
    expect(add(1, 2)).toBe(3);
  });
  test("subtracts", () => {
    expect(sub(3, 2)).toBe(1);
  });
});
`;
const ADDS = '  test("adds", () => {\n    expect(add(1, 2)).toBe(3);\n  });\n';
const edit = (from: string, to: string) => {
  if (!BASE.includes(from)) throw new Error(`not in the fixture: ${from}`);
  return BASE.replace(from, to);
};
/** The fixture with `text` added as the last lines of the describe. */
const append = (text: string) => `${BASE.slice(0, -"});\n".length)}${text}});\n`;
const body = (text: string) => edit("    expect(add(1, 2)).toBe(3);\n", text);

const disabled = (line: number): Row[] => [["test_disabled", "block", SPEC, line]];
const onAdds = (rule: string): Row[] => [[rule, "request_changes", SPEC, 3]];

// One case per way of neutering a test, each with the one finding it must give.
const NEUTERED: Array<[string, string, Row[]]> = [
  ["if (true) return; at the top of the body", body("    if (true) return;\n    expect(add(1, 2)).toBe(3);\n"), disabled(3)],
  ["if (1) return", body("    if (1) return\n    expect(add(1, 2)).toBe(3);\n"), disabled(3)],
  ["if (!0) { return; }", body("    if (!0) { return; }\n    expect(add(1, 2)).toBe(3);\n"), disabled(3)],
  ["return; before the assertions", body("    const x = 1;\n    return;\n    expect(add(1, 2)).toBe(x + 2);\n"), disabled(3)],
  ["if (\"yes\" === \"yes\") return", body('    if ("yes" === "yes") return;\n    expect(add(1, 2)).toBe(3);\n'), disabled(3)],
  ["assertions removed", body("    add(1, 2);\n"), onAdds("assertions_removed")],
  ["assertions wrapped in if (false)", body("    if (false) {\n      expect(add(1, 2)).toBe(3);\n    }\n"), onAdds("assertions_removed")],
  ["expect(true).toBe(true)", body("    expect(true).toBe(true);\n"), onAdds("assertions_trivial")],
  ["expect(1).toBe(1)", body("    expect(1).toBe(1);\n"), onAdds("assertions_trivial")],
  ["assert(true)", body("    assert(true);\n"), onAdds("assertions_trivial")],
  ["assert.equal(1, 1)", body("    assert.equal(1, 1);\n"), onAdds("assertions_trivial")],
  ["expect.soft([]).toEqual([])", body("    expect.soft([]).toEqual([]);\n"), onAdds("assertions_trivial")],
  ["a tautology: expect(x).toBe(x)", body("    const x = add(1, 2);\n    expect(x).toBe(x);\n"), onAdds("assertions_trivial")],
  ["expect(x).toBeDefined() replacing toBe(3)", body("    expect(add(1, 2)).toBeDefined();\n"), onAdds("assertions_weakened")],
  ["test.todo replacing a test", edit(ADDS, '  test.todo("adds");\n'), [["test_todo", "request_changes", SPEC, 3]]],
  ["it.todo replacing a test", edit(ADDS, '  it.todo("adds");\n'), [["test_todo", "request_changes", SPEC, 3]]],
  ["a test left without its body (mocha pending)", edit(ADDS, '  it("adds");\n'), [["test_todo", "request_changes", SPEC, 3]]],
  ["describe.skip", edit('describe("math"', 'describe.skip("math"'), disabled(2)],
  ["xdescribe", edit('describe("math"', 'xdescribe("math"'), disabled(2)],
  ["describe.only", edit('describe("math"', 'describe.only("math"'), disabled(2)],
  ["describe.skipIf(cond)", edit('describe("math"', 'describe.skipIf(process.env.CI)("math"'), disabled(2)],
  ["xit", edit('test("adds"', 'xit("adds"'), disabled(3)],
  ["test.skip", edit('test("adds"', 'test.skip("adds"'), disabled(3)],
  ["test.skipIf(...)", edit('test("adds"', 'test.skipIf(process.platform !== "win32")("adds"'), disabled(3)],
  ["test.concurrent.skip", edit('test("adds"', 'test.concurrent.skip("adds"'), disabled(3)],
  ["test.skip.each", edit('test("adds"', 'test.skip.each([1])("adds"'), disabled(3)],
  ["it.only silencing the rest", edit('test("adds"', 'it.only("adds"'), disabled(3)],
  ["test.if(false)", edit('test("adds"', 'test.if(false)("adds"'), disabled(3)],
  ["test.failing", edit('test("adds"', 'test.failing("adds"'), disabled(3)],
  ["test.fixme (Playwright)", edit('test("adds"', 'test.fixme("adds"'), disabled(3)],
  ["node:test { skip: true }", edit('test("adds", () => {', 'test("adds", { skip: true }, () => {'), disabled(3)],
  ["node:test { todo: 'later' }", edit('test("adds", () => {', 'test("adds", { todo: "later" }, () => {'), [["test_todo", "request_changes", SPEC, 3]]],
  ["mocha this.skip()", edit('test("adds", () => {\n', 'test("adds", function () {\n    this.skip();\n'), disabled(3)],
  ["node:test t.skip()", edit('test("adds", () => {\n', 'test("adds", (t) => {\n    t.skip();\n'), disabled(3)],
  ["vitest ctx.skip(cond)", edit('test("adds", () => {\n', 'test("adds", (ctx) => {\n    ctx.skip(isCI);\n'), disabled(3)],
  ["Playwright test.skip() in the body", body("    test.skip();\n    expect(add(1, 2)).toBe(3);\n"), disabled(3)],
  ["mocha this.skip() in a hook skips the suite", edit('describe("math", () => {\n', 'describe("math", function () {\n  beforeEach(function () { this.skip(); });\n'), disabled(2)],
  ["a test declared under a condition", edit(ADDS, `  if (process.env.FULL) {\n${ADDS}  }\n`), disabled(4)],
  ["a test deleted", edit('  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n', ""), [["tests_removed", "request_changes", SPEC, 5]]],
];

describe("a neutered JS/TS test is caught by the parser", () => {
  for (const [name, after, expected] of NEUTERED) {
    test(name, async () => {
      expect(await rows({ [SPEC]: [BASE, after] })).toEqual(expected);
    });
  }
});

// Changes that keep every test running and checking what it did.
const CLEAN: Array<[string, Record<string, [Side, Side]>]> = [
  ["a variable renamed inside a test", { [SPEC]: [BASE, body("    const sum = add(1, 2);\n    expect(sum).toBe(3);\n")] }],
  ["toBe(3) replaced by toEqual(3)", { [SPEC]: [BASE, body("    expect(add(1, 2)).toEqual(3);\n")] }],
  ["a test added", { [SPEC]: [BASE, append('  test("multiplies", () => {\n    expect(mul(2, 3)).toBe(6);\n  });\n')] }],
  ["a new test file", { "src/new.test.ts": [null, BASE] }],
  [".skip and .only inside a string or a comment", { [SPEC]: [BASE, body('    const s = "test.skip(";\n    // it.only("x", () => {});\n    /* describe.skip( */ expect(add(1, 2)).toBe(3);\n')] }],
  ["a test renamed", { [SPEC]: [BASE, edit('test("adds"', 'test("adds two numbers"')] }],
  ["the describe renamed", { [SPEC]: [BASE, edit('describe("math"', 'describe("arithmetic"')] }],
  ["an assertion moved into a local helper", { [SPEC]: [BASE, `function expectSum(a: number, b: number, sum: number) {\n  expect(add(a, b)).toBe(sum);\n}\n${body("    expectSum(1, 2, 3);\n")}`] }],
  ["an assertion moved into a helper of another name", { [SPEC]: [BASE, `const check = (n: number) => {\n  expect(add(n, 2)).toBe(n + 2);\n};\n${body("    check(1);\n")}`] }],
  ["a conditional return that is not constant", { [SPEC]: [BASE, body("    if (!add) return;\n    expect(add(1, 2)).toBe(3);\n")] }],
  ["a return at the end of the test", { [SPEC]: [BASE, body("    expect(add(1, 2)).toBe(3);\n    return;\n")] }],
  ["a skip that was there already, unchanged", { [SPEC]: [edit('test("adds"', 'test.skip("adds"'), edit('test("adds"', 'test.skip("adds"').replace("toBe(1)", "toBe(1 + 0)")] }],
  [
    "a test moved between two files of the change",
    {
      [SPEC]: [BASE, edit('  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n', "")],
      "src/sub.test.ts": [null, 'import { describe, expect, test } from "bun:test";\ndescribe("math", () => {\n  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n});\n'],
    },
  ],
  [
    "a test moved into a differently named describe in another file",
    {
      [SPEC]: [BASE, edit('  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n', "")],
      "src/sub.test.ts": [null, 'import { describe, expect, test } from "bun:test";\ndescribe("subtraction", () => {\n  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n});\n'],
    },
  ],
];

describe("ordinary test changes stay clean", () => {
  for (const [name, files] of CLEAN) {
    test(name, async () => {
      expect(await rows(files)).toEqual([]);
    });
  }
});

test("tests declared through an alias are tests: skipping the alias skips them", async () => {
  const aliased = (alias: string) => `${alias}\nneedsDb("reads", () => {\n  expect(read()).toBe(1);\n});\n`;
  const base = aliased("const needsDb = test.skipIf(!process.env.DB);");
  expect(await rows({ [SPEC]: [base, aliased("const needsDb = test.skip;")] })).toEqual([["test_disabled", "block", SPEC, 2]]);
  expect(await rows({ [SPEC]: [base, aliased("const needsDb = test.skipIf(!process.env.DB);\n")] })).toEqual([]);
  const imported = (call: string) => `import { test as check } from "bun:test";\n${call}("reads", () => {\n  expect(read()).toBe(1);\n});\n`;
  expect(await rows({ [SPEC]: [imported("check"), imported("check.only")] })).toEqual([["test_disabled", "block", SPEC, 2]]);
});

test("one of two assertions removed requests changes", async () => {
  const two = body("    expect(add(1, 2)).toBe(3);\n    expect(add(2, 2)).toBe(4);\n");
  expect(await rows({ [SPEC]: [two, BASE] })).toEqual(onAdds("assertions_removed"));
});

test("the finding names the test by its full name, at its head line", async () => {
  const [f] = await testsReviewer.review(change({ [SPEC]: [BASE, body("    if (true) return;\n    expect(add(1, 2)).toBe(3);\n")] }));
  expect([f?.rule, f?.line]).toEqual(["test_disabled", 3]);
  expect(f?.message).toBe('the test "math > adds" in src/math.test.ts is now returning before its assertions (if (true) return; before the rest of the test)');
  const [removed] = await testsReviewer.review(change({ [SPEC]: [BASE, edit('  test("subtracts", () => {\n    expect(sub(3, 2)).toBe(1);\n  });\n', "")] }));
  expect(removed!.message).toContain('"math > subtracts"');
});

test("a suite newly skipped is one finding for its tests, and a new skipped test blocks as before", async () => {
  const [suite, ...rest] = await testsReviewer.review(change({ [SPEC]: [BASE, edit('describe("math"', 'describe.skip("math"')] }));
  expect(rest).toEqual([]);
  expect(suite!.message).toContain('the suite "math" (2 tests)');
  const added = append('  test.skip("multiplies", () => {});\n');
  expect(await rows({ [SPEC]: [BASE, added] })).toEqual(disabled(9));
});

test("a test file that does not parse falls back to the line rules, with a note", async () => {
  const broken = edit('test("adds"', 'test.skip("adds"').replace("});\n", "}\n");
  expect(await rows({ [SPEC]: [BASE, broken] })).toEqual([
    ["test_disabled", "block", SPEC, 3],
    ["tests_unparsed", "note", SPEC, null],
  ]);
});

test("a JS/TS test file whose contents were not loaded is judged by its lines, with a note", async () => {
  expect(await rows({ [SPEC]: [BASE, edit('test("adds"', 'test.skip("adds"')] }, false)).toEqual([
    ["test_disabled", "block", SPEC, 3],
    ["tests_unparsed", "note", SPEC, null],
  ]);
});

test("deleted test files and tests renamed out of the run block, as before", async () => {
  const renamed = "diff --git a/src/x.test.ts b/src/x.ts\nsimilarity index 100%\nrename from src/x.test.ts\nrename to src/x.ts\n";
  const findings = await testsReviewer.review(inputFor(deletedFile("test/api.ts", ["expect(1)"]) + renamed));
  expect(findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
    ["test_deleted", "block", "test/api.ts", null],
    ["test_deleted", "block", "src/x.ts", null],
  ]);
});

test("the review is synchronous unless a JS/TS test file or config has to be parsed", () => {
  expect(Array.isArray(testsReviewer.review(inputFor(changedFile("tests/test_a.py", "@@ -1,0 +2 @@\n+    assert x\n"))))).toBe(true);
  expect(Array.isArray(testsReviewer.review(change({ "src/a.ts": ["a\n", "b\n"] })))).toBe(true);
  expect(testsReviewer.review(change({ [SPEC]: [BASE, body("    expect(add(1, 2)).toEqual(3);\n")] }))).toBeInstanceOf(Promise);
  expect(testsReviewer.review(change({ "vitest.config.ts": ["export default {};\n", "export default { test: {} };\n"] }))).toBeInstanceOf(Promise);
});
