import { expect, test } from "bun:test";
import { fixtureItem } from "../../planning/item-fixture.ts";
import { triageVerdictOf } from "./triage-outcome.ts";

const item = fixtureItem({ source: "failing_build", type: "red_check", detail: { check: "unit", command: "npm test", branch: "main", firstRedCommit: "f".repeat(40), lastRedCommit: "a".repeat(40) } });
const run = (exitCode: number | null, failureClass: string | null = null) => ({ exitCode, signal: null, failureClass });
const result = (verdict: string, runs: ReturnType<typeof run>[]) => ({ commit: "a".repeat(40), verdict, passed: runs.filter((r) => r.exitCode === 0).length, failed: runs.filter((r) => r.exitCode !== 0).length, runs });

test("a broken check asks to fix or revert, naming the first red commit; a flaky one asks to fix or quarantine", () => {
  const broken = triageVerdictOf(item, result("broken", [run(1), run(1), run(1)]));
  expect(broken).toEqual({ escalation: "stopped", question: expect.stringContaining("unit is broken on aaaaaaaaaaaa: it failed 3 of 3 reruns the same way (exit 1)") });
  expect((broken as { question: string }).question).toContain("first red: ffffffffffff");
  expect(triageVerdictOf(item, result("flaky", [run(0), run(1), run(0)]))).toEqual({ escalation: "stopped", question: expect.stringContaining("unit is flaky on aaaaaaaaaaaa: it failed 1 of 3 reruns") });
  // Every rerun passing after the red run that filed the item is flaky too.
  expect((triageVerdictOf(item, result("passes", [run(0), run(0), run(0)])) as { question: string }).question).toContain("passed all 3 reruns after the red run that filed this item");
});

test("reruns that could not run are the machine's or setup's trouble (unrelated_state); an unreadable result asks", () => {
  expect(triageVerdictOf(item, result("infrastructure", [run(null, "environment")]))).toEqual({ escalation: "unrelated_state", question: expect.stringContaining("could not run (environment)") });
  expect((triageVerdictOf(item, result("broken", [run(null, "timeout"), run(null, "timeout")])) as { question: string }).question).toContain("the same way (it ran past its time limit)");
  expect(triageVerdictOf(item, { nonsense: true })).toMatchObject({ escalation: "stopped" });
});
