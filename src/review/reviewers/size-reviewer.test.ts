import { expect, test } from "bun:test";
import { inputFor, newFile } from "../review-fixture.ts";
import { sizeReviewer } from "./size-reviewer.ts";

const rules = { maxFiles: 3, maxChangedLines: 10 };
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i}`);

test("a change within both limits passes; lockfile lines do not count", () => {
  const diff = newFile("a.ts", lines(5)) + newFile("b.ts", lines(5)) + newFile("package-lock.json", lines(500));
  expect(sizeReviewer.review(inputFor(diff, { rules }))).toEqual([]);
});

test("too many files or too many lines requests changes", () => {
  const diff = newFile("a.ts", lines(8)) + newFile("b.ts", lines(3)) + newFile("c.ts", []) + newFile("d.ts", []);
  expect(sizeReviewer.review(inputFor(diff, { rules })).map((f) => [f.rule, f.severity, f.file, f.line, f.message])).toEqual([
    ["too_many_files", "request_changes", null, null, "changes 4 files, over the limit of 3"],
    ["too_many_lines", "request_changes", null, null, "changes 11 lines (added + removed), over the limit of 10"],
  ]);
});
