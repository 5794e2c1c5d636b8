import { describe, expect, test } from "bun:test";
import { fixtureItem } from "../../planning/item-fixture.ts";
import { ciMedic } from "./index.ts";

const RED = "a".repeat(40);
const GREEN = "9".repeat(40);
const HEAD = "b".repeat(40);
const base = { baseBranch: "main", baseCommit: HEAD };
const red = (detail: Record<string, unknown> = {}) =>
  fixtureItem({ source: "failing_build", type: "red_check", detail: { check: "unit", command: "npm test", branch: "main", firstRedCommit: RED, lastRedCommit: RED, ...detail } });
const planned = (item: ReturnType<typeof red>) => {
  const task = ciMedic.task(item);
  return { task, input: ciMedic.jobInput(item, task, base) as Record<string, unknown> };
};

describe("the CI Medic's steps as tasks and job inputs", () => {
  test("a new red check is triaged on its red commit", () => {
    const { task, input } = planned(red());
    expect(task).toMatchObject({ kind: "triage", risk: "low", constraints: { scope: [] } });
    expect(input).toEqual({ commit: RED, branch: "main", check: { name: "unit", run: "npm test" }, runs: 3, commandTimeoutSeconds: 900 });
  });

  test("a lockfile out of sync is regenerated on the branch's head, judged as the Dependency Steward's change", () => {
    const { task, input } = planned(red({ check: "install", command: null, cause: "lockfile_out_of_sync" }));
    expect(task).toMatchObject({ kind: "lockfile-sync", role: "dependency_steward", risk: "medium" });
    expect(input).toMatchObject({ baseBranch: "main", baseCommit: HEAD, risk: "medium" });
  });

  test("bisect between the step's commits; the found culprit's revert from the bisection's facts, as an ordinary change", () => {
    const bisecting = red({ medic: { step: "bisect", good: GREEN, bad: RED, testId: "t > a" } });
    expect(planned(bisecting).input).toMatchObject({ good: GREEN, bad: RED, testId: "t > a", check: { name: "unit", run: "npm test" }, maxSteps: 8 });
    const bisect = { verdict: "found", good: GREEN, bad: RED, check: "unit", testId: null, candidates: 3, culprit: "c".repeat(40), culpritSubject: "break it", culpritAuthor: "A <a@x>", culpritParents: [GREEN], culpritFiles: ["src/a.js"], narrowedTo: null, steps: [{ commit: RED, kind: "confirm", outcome: "bad", exitCode: 1, signal: null, durationMs: 5, testStatus: null }] };
    const next = ciMedic.onSuccess!({ ...bisecting, detail: { ...bisecting.detail, task: { kind: "bisect" }, job: "job_b" } }, bisect);
    expect(next).toMatchObject({ next: expect.stringContaining("its revert is proposed"), detail: { medic: { step: "revert" } } });
    const reverting = red((next as { detail: Record<string, unknown> }).detail);
    const { task, input } = planned(reverting);
    expect(task).toMatchObject({ kind: "revert", role: "codemod", risk: "medium", constraints: { scope: ["src/a.js"] } });
    expect(input).toMatchObject({ prNumber: null, mergedSha: "c".repeat(40), previousBaseSha: GREEN, baseBranch: "main", baseCommit: HEAD, risk: "medium", culprit: { check: "unit", bisectJobId: "job_b" } });
  });

  test("a failed fix falls back to the bisection when a green commit is known", () => {
    const fixing = red({ medic: { step: "fix", good: GREEN, bad: RED, testId: null, logExcerpt: "src/a.js:1:1 bad" } });
    expect(planned(fixing).task).toMatchObject({ kind: "ci-fix", role: "codemod" });
    expect(planned(fixing).input).toMatchObject({ baseCommit: RED, fixer: null, failureExcerpt: "src/a.js:1:1 bad", role: "codemod", risk: "low" });
    const failed = red({ ...fixing.detail, task: { kind: "ci-fix" }, lastFailure: { class: "invalid_input", message: "no fixer" } });
    expect(planned(failed).task.kind).toBe("bisect");
    // The bisection failing in turn does not send it back to the fix (no fix, bisect, fix... loop).
    const bisectFailed = red({ ...fixing.detail, task: { kind: "bisect" }, lastFailure: { class: "invalid_input", message: "not on the line" } });
    expect(planned(bisectFailed).task.kind).toBe("bisect");
    expect(() => ciMedic.task(red({ ...fixing.detail, attempt: 10 }))).toThrow(/10 tasks for this item/);
  });

  test("a quarantine carries each test's evidence and an expiry; an un-quarantine item removes one entry", () => {
    const quarantining = red({ medic: { step: "quarantine", triage: { job: "job_t", commit: RED }, tests: [{ id: "t > flaky", runs: 4, failures: 1 }] } });
    const { task, input } = planned(quarantining);
    expect(task).toMatchObject({ kind: "quarantine", risk: "medium", constraints: { scope: [".pushpals/quarantine.toml"] } });
    const [entry] = (input as { add: Record<string, unknown>[] }).add;
    expect(entry).toMatchObject({ id: "t > flaky", check: "unit", runs: 4, failures: 1, commits: [RED], triage_job: "job_t", requested_by: "pushpals:ci-medic", approval: "pr" });
    expect(entry!.score).toBeGreaterThan(0);
    const passing = fixtureItem({ source: "failing_build", type: "quarantined_test_passing", detail: { check: "unit", testId: "t > flaky", passes: 20, note: "n" } });
    expect(ciMedic.jobInput(passing, ciMedic.task(passing), base)).toMatchObject({ add: [], remove: [{ id: "t > flaky", passes: 20, note: "n" }] });
  });
});
