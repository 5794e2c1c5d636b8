import { describe, expect, test } from "bun:test";
import { assertClientKind, parseJobInput } from "../registry.ts";
import { entry } from "../../test-quarantine/quarantine-fixture.ts";
import { QuarantineInput } from "./quarantine-input.ts";
import { quarantinePrBody, quarantinePrTitle } from "./quarantine-pr-body.ts";

const base = { baseBranch: "main", baseCommit: "c".repeat(40) };

describe("quarantine input", () => {
  test("defaults: the CI Medic's role, Medium, the quarantine file as the whole scope", () => {
    expect(QuarantineInput.parse({ ...base, add: [entry()] })).toEqual({ ...base, add: [entry()], remove: [], role: "ci_medic", risk: "medium", scope: [".pushpals/quarantine.toml"], rfc: null });
    expect(QuarantineInput.parse({ ...base, remove: [{ id: "a", passes: 10 }] }).remove).toEqual([{ id: "a", passes: 10, note: "" }]);
  });

  test.each([
    ["nothing to do", {}, /input\.add: names no test/],
    ["another scope", { add: [entry()], scope: ["**"] }, /input\.scope\.0/],
    ["a short base commit", { add: [entry()], baseCommit: "abc" }, /input\.baseCommit/],
    ["an entry without evidence fields", { add: [{ ...entry(), commits: [] }] }, /input\.add\.0\.commits/],
    ["a pattern for an id", { add: [entry({ id: "a > *" })] }, /input\.add\.0\.id/],
    ["an expiry past the limit", { add: [entry({ expires: "2026-01-01" })] }, /input\.add\.0\.expires/],
    ["the same test twice", { add: [entry()], remove: [{ id: entry().id, passes: 3 }] }, /input\.remove\.0\.id: names a test already named/],
    ["an un-quarantine without its passes", { remove: [{ id: "a" }] }, /input\.remove\.0\.passes/],
    ["an unknown field", { add: [entry()], title: "x" }, /input/],
  ] as const)("refused: %s", (_name, over, message) => {
    expect(() => parseJobInput("quarantine", { ...base, ...over })).toThrow(message);
  });

  test("only the server creates it", () => {
    expect(() => assertClientKind("quarantine")).toThrow(/a client cannot create a quarantine job/);
  });
});

describe("quarantine PR", () => {
  test("titles name the test, or count them", () => {
    expect(quarantinePrTitle({ add: [entry()], remove: [] })).toBe("Quarantine src/a.test.ts > math > adds");
    expect(quarantinePrTitle({ add: [], remove: [{ id: "b", passes: 10, note: "" }] })).toBe("Un-quarantine b");
    expect(quarantinePrTitle({ add: [entry(), entry({ id: "x" })], remove: [{ id: "b", passes: 10, note: "" }] })).toBe("Quarantine 2 tests, un-quarantine 1 test");
    expect(quarantinePrTitle({ add: [entry({ id: "y".repeat(500) })], remove: [] })).toHaveLength(200);
  });

  test("the body: the evidence table, the reasons, the passes, who approves and how to undo", () => {
    const body = quarantinePrBody({ ...base, add: [entry({ id: "a | b", commits: ["a".repeat(40), "b".repeat(40)] })], remove: [{ id: "old", passes: 12, note: "green on 12 base heads" }] });
    expect(body).toBe(
      [
        "Quarantines 1 test on main: a quarantined test's failure no longer fails its check until the entry expires; it is still recorded and reported. Every entry below carries the CI Medic's evidence that the test is flaky (it both failed and passed on the same code).",
        "",
        "| Test | Check | Runs | Failures | Score | Commits | Expires | Triage job |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- |",
        `| a \\| b | test | 5 | 2 | 0.40 | ${"a".repeat(12)}, ${"b".repeat(12)} | 2025-02-09 | job_0123456789abcdef |`,
        "",
        "- a \\| b: failed 2 of 5 reruns",
        "",
        "Un-quarantines 1 test: their failures fail their check again.",
        "",
        "| Test | Passes in a row | Note |",
        "| --- | ---: | --- |",
        "| old | 12 | green on 12 base heads |",
        "",
        "Approval: PushPals wrote these entries (requested by the CI Medic); a person approves this PR before it merges. A change to .pushpals/quarantine.toml is Medium and never merged by PushPals on its own, and the review refuses entries without evidence or beyond what this job declared.",
        "",
        "Undo: once merged, `pushpals revert <this PR>`; or remove the entries from .pushpals/quarantine.toml in a PR of its own (an entry also stops counting by itself on its expiry date).",
      ].join("\n"),
    );
  });

  test("a body stays within the PR's bounds however long the ids", () => {
    const add = Array.from({ length: 20 }, (_, i) => entry({ id: `${i} ${"x".repeat(1400)}`, reason: "r".repeat(500) }));
    const body = quarantinePrBody({ ...base, add, remove: [] });
    expect(body.length).toBeLessThanOrEqual(18_000);
    expect(body).toContain("more: see .pushpals/quarantine.toml in the diff");
  });
});
