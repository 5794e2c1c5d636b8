import { describe, expect, test } from "bun:test";
import { fixtureItem } from "../../planning/item-fixture.ts";
import { brokenTests, flakyTests } from "./flaky-evidence.ts";
import { ciMedic } from "./index.ts";
import { triageVerdictOf } from "./triage-outcome.ts";

const A = "a".repeat(40);
const G = "9".repeat(40);
const itemWith = (detail: Record<string, unknown> = {}) =>
  fixtureItem({ source: "failing_build", type: "red_check", detail: { check: "unit", command: "npm test", branch: "main", firstRedCommit: "f".repeat(40), lastRedCommit: A, ...detail } });
const item = itemWith();
const run = (exitCode: number | null, failureClass: string | null = null, failedTests?: string[]) => ({ exitCode, signal: null, failureClass, logExcerpt: "", reportRead: failedTests !== undefined, failedTests: failedTests ?? [] });
const result = (verdict: string, runs: ReturnType<typeof run>[]) => ({ commit: A, verdict, passed: runs.filter((r) => r.exitCode === 0).length, failed: runs.filter((r) => r.exitCode !== 0).length, runs });
const question = (s: unknown) => (s as { question: string }).question;

describe("the CI Medic's next step after a triage", () => {
  test("the machine's trouble (environment, a timeout) is reported, nothing changed", () => {
    expect(triageVerdictOf(item, result("infrastructure", [run(null, "environment")]))).toEqual({ escalation: "unrelated_state", question: expect.stringContaining("could not run (environment)") });
    expect(question(triageVerdictOf(item, result("infrastructure", [run(null, "timeout")])))).toContain("ran past its time limit: the machine or its setup, not the code, so nothing was changed");
    expect(triageVerdictOf(item, { nonsense: true })).toMatchObject({ escalation: "stopped" });
  });

  test("broken with a known green commit: bisect, judged by the one test failing every time", () => {
    const next = triageVerdictOf(itemWith({ lastGreenCommit: G }), result("broken", [run(1, null, ["t > a", "t > b"]), run(1, null, ["t > a"]), run(1, null, ["t > a"])]), "job1");
    expect(next).toEqual({ next: expect.stringContaining("bisecting from 999999999999"), detail: { medic: { step: "bisect", good: G, bad: A, testId: "t > a", triage: expect.objectContaining({ job: "job1", verdict: "broken" }) } } });
    // No green commit known: a person, with the failing tests named.
    const asked = triageVerdictOf(item, result("broken", [run(1, null, ["t > a"]), run(1, null, ["t > a"])]));
    expect(question(asked)).toContain("unit is broken on aaaaaaaaaaaa: it failed 2 of 2 reruns the same way (exit 1); failing tests: t > a. No green commit");
  });

  test("broken, no green commit known, a model configured: the model is asked for the fix (a Medium agent-run on the red commit)", () => {
    const logged = result("broken", [{ ...run(1, null, ["t > a"]), logExcerpt: "AssertionError: 1 !== 2" }, run(1, null, ["t > a"])]);
    const next = triageVerdictOf(item, logged, "job2", { modelReady: true });
    expect(next).toEqual({ next: expect.stringContaining("no green commit is known to bisect from: the model is asked for a fix"), detail: { medic: { step: "model_fix", failedTests: ["t > a"], logExcerpt: "AssertionError: 1 !== 2", triage: expect.objectContaining({ job: "job2" }) } } });
    const asked = fixtureItem({ ...itemWith(), detail: { ...itemWith().detail, ...(next as { detail: Record<string, unknown> }).detail } });
    const task = ciMedic.task(asked);
    expect(task).toMatchObject({ kind: "agent-run", risk: "medium", role: "codemod", constraints: { scope: ["**"] } });
    expect(task.notes.join("\n")).toContain("failing tests: t > a");
    expect(task.notes.join("\n")).toContain("AssertionError: 1 !== 2");
    expect(ciMedic.jobInput(asked, task, { baseBranch: "main", baseCommit: G } as never)).toMatchObject({ mode: "task", baseCommit: A, risk: "medium", title: "Fix unit on main" });
    // With a green commit, the bisection stays first; without a model, a person.
    expect(triageVerdictOf(itemWith({ lastGreenCommit: G }), logged, "job2", { modelReady: true })).toMatchObject({ detail: { medic: { step: "bisect" } } });
    expect(triageVerdictOf(item, logged, "job2", { modelReady: false })).toMatchObject({ escalation: "stopped" });
  });

  test("a broken lint or format check goes to the repository's fixer first", () => {
    const lint = itemWith({ check: "lint", command: "npm run lint", lastGreenCommit: G });
    expect(triageVerdictOf(lint, result("broken", [run(1), run(1), run(1)]))).toMatchObject({ detail: { medic: { step: "fix" } } });
  });

  test("flaky tests named by the reports go to a quarantine, with their counts", () => {
    const flaky = triageVerdictOf(itemWith({ failedTests: ["t > flaky"] }), result("passes", [run(0, null, []), run(0, null, []), run(0, null, [])]));
    expect(flaky).toMatchObject({ detail: { medic: { step: "quarantine", tests: [{ id: "t > flaky", runs: 4, failures: 1 }] } } });
    const mixed = triageVerdictOf(item, result("flaky", [run(0, null, []), run(1, null, ["t > x"]), run(0, null, [])]));
    expect(mixed).toMatchObject({ detail: { medic: { step: "quarantine", tests: [{ id: "t > x", runs: 3, failures: 1 }] } } });
  });

  test("flaky without a report asks for one; too many flaky tests at once is not a flake", () => {
    expect(question(triageVerdictOf(item, result("flaky", [run(0), run(1), run(0)])))).toContain("configure `report` for the check");
    const many = Array.from({ length: 6 }, (_, i) => `t > ${i}`);
    expect(question(triageVerdictOf(item, result("flaky", [run(0, null, []), run(1, null, many)])))).toContain("6 tests failed on some runs and passed on others");
  });
});

describe("flaky and broken tests from runs", () => {
  test("a test failing in every counted run is broken, not flaky; runs without a report do not count", () => {
    expect(flakyTests(["a", "b"], [{ reportRead: true, failedTests: ["a"] }, { reportRead: false, failedTests: [] }])).toEqual([{ id: "b", runs: 2, failures: 1 }]);
    expect(brokenTests([{ reportRead: true, failedTests: ["a", "b"] }, { reportRead: true, failedTests: ["b"] }, { reportRead: false, failedTests: [] }])).toEqual(["b"]);
    expect(brokenTests([{ reportRead: false, failedTests: [] }])).toEqual([]);
    expect(flakyTests(null, [{ reportRead: true, failedTests: ["a", "a"] }, { reportRead: true, failedTests: [] }])).toEqual([{ id: "a", runs: 2, failures: 1 }]);
  });
});
