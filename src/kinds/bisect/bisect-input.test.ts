import { describe, expect, test } from "bun:test";
import { BisectInput, BisectResult } from "./bisect-input.ts";

const good = "a".repeat(40);
const bad = "b".repeat(40);
const check = { name: "unit", run: "npm test" };

/** The field the schema refuses first, as the job service names it (`input.maxSteps`). */
function refused(input: unknown): string | null {
  const parsed = BisectInput.safeParse(input);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0]!;
  return ["input", ...issue.path, ...("keys" in issue ? issue.keys : [])].join(".");
}

describe("bisect input and result", () => {
  test("defaults: no branch, no test, eight steps, 900 s per command", () => {
    expect(BisectInput.parse({ good, bad, check })).toEqual({ branch: null, good, bad, check, testId: null, maxSteps: 8, commandTimeoutSeconds: 900 });
  });

  test("strict and bounded: two full SHAs that differ, the check, a test id, how many steps", () => {
    expect(refused({ good, bad, check, install: { packageManager: "npm" } })).toBe("input.install");
    expect(refused({ good: "main", bad, check })).toBe("input.good");
    expect(refused({ good, bad: good, check })).toBe("input.bad");
    expect(refused({ good, bad, check: { ...check, env: "X=1" } })).toBe("input.check.env");
    expect(refused({ good, bad, check, maxSteps: 0 })).toBe("input.maxSteps");
    expect(refused({ good, bad, check, maxSteps: 13 })).toBe("input.maxSteps");
    expect(refused({ good, bad, check, maxSteps: 2.5 })).toBe("input.maxSteps");
    expect(refused({ good, bad, check, testId: "" })).toBe("input.testId");
    expect(refused({ good, bad, check, commandTimeoutSeconds: 3601 })).toBe("input.commandTimeoutSeconds");
    expect(refused({ good, bad, check, branch: "main x" })).toBe("input.branch");
    expect(BisectInput.parse({ good, bad, check, branch: "main", testId: "a.test.ts > adds", maxSteps: 12 })).toMatchObject({ branch: "main", testId: "a.test.ts > adds", maxSteps: 12 });
  });

  test("the result holds every step's evidence; a confirmation and twelve steps at most", () => {
    const step = { commit: bad, kind: "confirm", outcome: "bad", exitCode: 1, signal: null, durationMs: 5, testStatus: null, failureClass: null, logExcerpt: "boom" };
    const result = { verdict: "found", good, bad, check: "unit", testId: null, candidates: 2, culprit: bad, culpritSubject: "break it", culpritAuthor: "A <a@example.invalid>", narrowedTo: null, steps: [step] };
    expect(BisectResult.parse(result).steps[0]).toEqual(step as never);
    expect(BisectResult.safeParse({ ...result, verdict: "guessed" }).success).toBe(false);
    expect(BisectResult.safeParse({ ...result, steps: [] }).success).toBe(false);
    expect(BisectResult.safeParse({ ...result, steps: Array(14).fill(step) }).success).toBe(false);
    expect(BisectResult.safeParse({ ...result, steps: [{ ...step, outcome: "maybe" }] }).success).toBe(false);
    expect(BisectResult.safeParse({ ...result, steps: [{ ...step, failureClass: "checks_failed" }] }).success).toBe(false);
    expect(BisectResult.safeParse({ ...result, narrowedTo: { first: good, last: bad, commits: 0 } }).success).toBe(false);
  });
});
