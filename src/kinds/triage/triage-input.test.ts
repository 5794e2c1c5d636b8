import { describe, expect, test } from "bun:test";
import { TriageInput, TriageResult } from "./triage-input.ts";

const commit = "a".repeat(40);
const check = { name: "unit", run: "npm test" };

/** The field the schema refuses first, as the job service names it (`input.runs`). */
function refused(input: unknown): string | null {
  const parsed = TriageInput.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return ["input", ...issue.path, ...("keys" in issue ? issue.keys : [])].join(".");
}

describe("triage input and result", () => {
  test("defaults: no branch, three runs, 900 s per command", () => {
    expect(TriageInput.parse({ commit, check })).toEqual({ commit, branch: null, check, runs: 3, commandTimeoutSeconds: 900 });
  });

  test("strict and bounded: nothing but the commit, the check and how to run it", () => {
    expect(refused({ commit, check, install: { packageManager: "npm" } })).toBe("input.install");
    expect(refused({ commit, check: { ...check, env: "X=1" } })).toBe("input.check.env");
    expect(refused({ commit: "main", check })).toBe("input.commit");
    expect(refused({ commit, check: { name: "", run: "x" } })).toBe("input.check.name");
    expect(refused({ commit, check, runs: 0 })).toBe("input.runs");
    expect(refused({ commit, check, runs: 11 })).toBe("input.runs");
    expect(refused({ commit, check, runs: 1.5 })).toBe("input.runs");
    expect(refused({ commit, check, commandTimeoutSeconds: 0 })).toBe("input.commandTimeoutSeconds");
    expect(refused({ commit, check, commandTimeoutSeconds: 3601 })).toBe("input.commandTimeoutSeconds");
    expect(refused({ commit, check, branch: "main x" })).toBe("input.branch");
    expect(TriageInput.parse({ commit, check, branch: "feature/x", runs: 10, commandTimeoutSeconds: 1 })).toMatchObject({ branch: "feature/x", runs: 10 });
  });

  test("the result holds every run's evidence", () => {
    const run = { run: 1, exitCode: 1, signal: null, durationMs: 18, failureClass: null, logExcerpt: "boom" };
    expect(TriageResult.parse({ commit, check: "unit", verdict: "broken", runs: [run], passed: 0, failed: 1 }).runs[0]).toEqual({ ...run, reportRead: false, failedTests: [] });
    expect(TriageResult.safeParse({ commit, check: "unit", verdict: "sick", runs: [run], passed: 0, failed: 1 }).success).toBe(false);
    expect(TriageResult.safeParse({ commit, check: "unit", verdict: "broken", runs: [], passed: 0, failed: 0 }).success).toBe(false);
    expect(TriageResult.safeParse({ commit, check: "unit", verdict: "broken", runs: [{ ...run, failureClass: "checks_failed" }], passed: 0, failed: 1 }).success).toBe(false);
  });
});
