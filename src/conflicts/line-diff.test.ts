import { expect, test } from "bun:test";
import { diffLines, type Hunk } from "./line-diff.ts";

function apply(before: readonly string[], hunks: Hunk[]): string[] {
  const out: string[] = [];
  let at = 0;
  for (const hunk of hunks) {
    out.push(...before.slice(at, hunk.start), ...hunk.lines);
    at = hunk.end;
  }
  return [...out, ...before.slice(at)];
}

const lines = (text: string) => (text === "" ? [] : text.split(""));

test("hunks against the old side", () => {
  const cases: [before: string, after: string, hunks: Hunk[]][] = [
    ["", "", []],
    ["abc", "abc", []],
    ["", "ab", [{ start: 0, end: 0, lines: ["a", "b"] }]],
    ["ab", "", [{ start: 0, end: 2, lines: [] }]],
    ["abc", "xyabc", [{ start: 0, end: 0, lines: ["x", "y"] }]],
    ["abc", "abcx", [{ start: 3, end: 3, lines: ["x"] }]],
    ["abc", "aXc", [{ start: 1, end: 2, lines: ["X"] }]],
    ["abcdef", "aXcdeY", [{ start: 1, end: 2, lines: ["X"] }, { start: 5, end: 6, lines: ["Y"] }]],
    ["abcabba", "cbabac", [{ start: 0, end: 2, lines: [] }, { start: 3, end: 3, lines: ["b"] }, { start: 5, end: 6, lines: [] }, { start: 7, end: 7, lines: ["c"] }]],
  ];
  for (const [before, after, hunks] of cases) {
    const found = diffLines(lines(before), lines(after));
    expect({ before, after, found }).toEqual({ before, after, found: hunks });
  }
});

test("random edits: applying the hunks gives the new side, hunks never touch, and the script is short", () => {
  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const before = Array.from({ length: random(40) }, () => "abcde"[random(5)]!);
    const after = [...before];
    let edits = 0;
    for (let e = random(6); e > 0; e--) {
      const at = random(after.length + 1);
      if (random(2) === 0 || after.length === 0) after.splice(at, 0, `n${random(3)}`);
      else after.splice(at, 1);
      edits++;
    }
    const hunks = diffLines(before, after)!;
    expect(apply(before, hunks)).toEqual(after);
    hunks.forEach((hunk, i) => i > 0 && expect(hunk.start).toBeGreaterThan(hunks[i - 1]!.end));
    const size = hunks.reduce((sum, h) => sum + (h.end - h.start) + h.lines.length, 0);
    expect(size).toBeLessThanOrEqual(edits);
  }
});

test("past the edit budget there is no answer", () => {
  const before = Array.from({ length: 100 }, (_, i) => `old ${i}`);
  const after = Array.from({ length: 100 }, (_, i) => `new ${i}`);
  expect(diffLines(before, after, 199)).toBeNull();
  expect(diffLines(before, after, 200)).toEqual([{ start: 0, end: 100, lines: after }]);
  expect(diffLines([], after, 50)).toBeNull();
});

test("a long file with a change at the top and one at the bottom is fast", () => {
  const before = Array.from({ length: 20_000 }, (_, i) => `- entry ${i}`);
  const after = ["## Unreleased", ...before.slice(0, 19_999), "- last"];
  const started = performance.now();
  expect(diffLines(before, after)).toEqual([
    { start: 0, end: 0, lines: ["## Unreleased"] },
    { start: 19_999, end: 20_000, lines: ["- last"] },
  ]);
  expect(performance.now() - started).toBeLessThan(1000);
});
