import { expect, test } from "bun:test";
import { codeLines, measureCode, measureDelta } from "./code-measures.ts";

test("code lines: blank and comment-only lines do not count, whitespace is normalized", () => {
  expect(codeLines("// a comment\n\n  const a  =  1;\n# shell comment\n * doc line\nreturn a;\n")).toEqual(["const a = 1;", "return a;"]);
});

test("complexity counts decision points outside strings and trailing comments", () => {
  const text = [
    "if (a && b) return 1;",
    'const s = "if and || inside a string";',
    "for (const x of xs) total += x ? 1 : 0; // if in a comment",
    "while (n-- > 0) {}",
    "switch (k) { case 1: break; }",
    "const v = a ?? b;",
    "if x and y or z:",
    "a?.b?.c;",
  ].join("\n");
  // if, &&; for, ?:; while; case; ??; if, and, or
  expect(measureCode([text]).complexity).toBe(10);
});

const BLOCK = ["const parsed = JSON.parse(text);", "if (!parsed.name) throw new Error('no name');", "const name = parsed.name.trim();", "return name.toLowerCase();"];

test("duplicated lines: a repeated run of four or more code lines counts once per extra copy, across files", () => {
  const one = ["function a(text) {", ...BLOCK, "}"].join("\n");
  const two = ["function b(text) {", ...BLOCK, "}"].join("\n");
  expect(measureCode([one]).duplicates).toBe(0);
  // The block and the closing brace after it: five lines repeat.
  expect(measureCode([one, two]).duplicates).toBe(5);
  expect(measureCode([`${one}\n${two}`]).duplicates).toBe(5);
});

test("brackets alone are no duplication", () => {
  expect(measureCode(["}\n}\n}\n}\n}\n}\n}\n}\n"]).duplicates).toBe(0);
});

test("the delta is after minus before", () => {
  expect(measureDelta({ lines: 10, complexity: 4, duplicates: 4 }, { lines: 7, complexity: 4, duplicates: 0 })).toEqual({ lines: -3, complexity: 0, duplicates: -4 });
});
