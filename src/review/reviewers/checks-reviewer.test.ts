import { expect, test } from "bun:test";
import { HEAD, inputFor, newFile } from "../review-fixture.ts";
import { checksReviewer } from "./checks-reviewer.ts";

const diff = newFile("a.ts", ["x"]);
const rules = (checks: Parameters<typeof inputFor>[1]) => checksReviewer.review(inputFor(diff, checks)).map((f) => [f.rule, f.severity, f.file, f.line]);

test("checks that passed on the exact head commit pass", () => {
  expect(rules({ checks: { state: "passed", sha: HEAD } })).toEqual([]);
});

test("checks on another commit or failed ones block; no checks at all is a note", () => {
  expect(rules({ checks: { state: "passed", sha: "c".repeat(40) } })).toEqual([["checks_stale", "block", null, null]]);
  expect(rules({ checks: { state: "failed", sha: HEAD } })).toEqual([["checks_failed", "block", null, null]]);
  expect(rules({ checks: { state: "none", sha: "" } })).toEqual([["no_checks", "note", null, null]]);
});

test("checks that fail on the base the same way are a note, not a block: the base is red", () => {
  const findings = checksReviewer.review(inputFor(diff, { checks: { state: "base_red", sha: HEAD, baseRed: { sha: "b".repeat(40), checks: ["lint"] } } }));
  expect(findings).toMatchObject([{ rule: "base_red", severity: "note" }]);
  expect(findings[0]!.message).toContain("lint fail on the head and on the base bbbbbbbbbbbb");
});
