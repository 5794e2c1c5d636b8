import { expect, test } from "bun:test";
import { inputFor, newFile } from "./review-fixture.ts";
import type { Finding, Reviewer } from "./review-types.ts";
import { buildVerdict, decide, mergeFindings, runReview } from "./run-review.ts";

const finding = (severity: Finding["severity"], rule = "r", reviewer = "det"): Finding => ({ reviewer, rule, severity, file: "a.ts", line: 3, message: "m", fixHint: "h" });
const input = inputFor(newFile("a.ts", ["x"]));

test("decide: any block blocks, else any request_changes requests changes, else approve", () => {
  expect(decide([])).toBe("approve");
  expect(decide([finding("note")])).toBe("approve");
  expect(decide([finding("note"), finding("request_changes")])).toBe("request_changes");
  expect(decide([finding("request_changes"), finding("block"), finding("note")])).toBe("block");
});

test("runReview runs sync and async reviewers in order; a reviewer that throws blocks instead of passing", async () => {
  const reviewers: Reviewer[] = [
    { name: "one", review: () => [finding("note", "first", "one")] },
    { name: "two", review: async () => [finding("request_changes", "second", "two")] },
    {
      name: "broken",
      review: () => {
        throw new Error("boom");
      },
    },
  ];
  const findings = await runReview(input, reviewers);
  expect(findings.map((f) => [f.reviewer, f.rule, f.severity])).toEqual([
    ["one", "first", "note"],
    ["two", "second", "request_changes"],
    ["broken", "reviewer_failed", "block"],
  ]);
  expect(findings[2]?.message).toContain("boom");
  expect(Object.isFrozen(findings[0])).toBe(true);
});

test("mergeFindings: extra findings can add or escalate, never remove or downgrade a deterministic block", () => {
  const deterministic = [finding("block", "secret"), finding("note", "no_checks")];
  const downgrade = { ...finding("note", "secret"), reviewer: "model" };
  const escalate = { ...finding("request_changes", "no_checks"), reviewer: "model" };
  const extra = { ...finding("request_changes", "naming"), reviewer: "model" };
  const merged = mergeFindings(deterministic, [downgrade, escalate, extra]);
  expect(merged.map((f) => [f.reviewer, f.rule, f.severity])).toEqual([
    ["det", "secret", "block"],
    ["det", "no_checks", "note"],
    ["model", "no_checks", "request_changes"],
    ["model", "naming", "request_changes"],
  ]);
  expect(decide(merged)).toBe("block");
  expect(decide(mergeFindings(deterministic, []))).toBe("block");
  expect(() => mergeFindings(deterministic, [{ ...extra, severity: "approve" }])).toThrow();
  // Kept findings are copies: changing the merged list's objects cannot reach back, and they are frozen.
  expect(Object.isFrozen(merged[0])).toBe(true);
  expect(() => {
    (merged[0] as { severity: string }).severity = "note";
  }).toThrow();
});

test("buildVerdict binds the decision to the head commit and the policy", () => {
  const verdict = buildVerdict(input, [finding("request_changes")], "policy-1", 1234);
  expect(verdict).toEqual({ decision: "request_changes", headSha: input.headSha, policyHash: "policy-1", findings: [finding("request_changes")], reviewedAt: 1234 });
});
