import { describe, expect, test } from "bun:test";
import type { TriageRun } from "./triage-input.ts";
import { runPassed, triageVerdict } from "./triage-verdict.ts";

type Outcome = Pick<TriageRun, "exitCode" | "signal" | "failureClass">;
const pass: Outcome = { exitCode: 0, signal: null, failureClass: null };
const exit = (code: number): Outcome => ({ exitCode: code, signal: null, failureClass: null });
const killed = (signal: string): Outcome => ({ exitCode: null, signal, failureClass: null });
const timedOut: Outcome = { exitCode: null, signal: "SIGKILL", failureClass: "timeout" };
const environment: Outcome = { exitCode: 127, signal: null, failureClass: "environment" };

describe("triage verdict", () => {
  test("every run passed: passes", () => {
    expect(triageVerdict([pass, pass, pass])).toBe("passes");
    expect(triageVerdict([pass])).toBe("passes");
  });

  test("every run failed the same way: broken", () => {
    expect(triageVerdict([exit(1), exit(1), exit(1)])).toBe("broken");
    expect(triageVerdict([exit(2)])).toBe("broken");
    // The same signal every time (the output cap, say) is a failure that reproduces too.
    expect(triageVerdict([killed("SIGKILL"), killed("SIGKILL")])).toBe("broken");
  });

  test("passes and failures mixed, in any order: flaky", () => {
    expect(triageVerdict([pass, exit(1), pass])).toBe("flaky");
    expect(triageVerdict([exit(1), pass, pass])).toBe("flaky");
    expect(triageVerdict([pass, pass, killed("SIGKILL")])).toBe("flaky");
  });

  test("failures that differ from each other are not a reproducible breakage: flaky", () => {
    expect(triageVerdict([exit(1), exit(2), exit(1)])).toBe("flaky");
    expect(triageVerdict([exit(1), killed("SIGKILL")])).toBe("flaky");
  });

  test("a run that timed out or could not run here outweighs every other: infrastructure", () => {
    expect(triageVerdict([environment])).toBe("infrastructure");
    expect(triageVerdict([exit(1), exit(1), environment])).toBe("infrastructure");
    expect(triageVerdict([pass, timedOut, pass])).toBe("infrastructure");
    expect(triageVerdict([timedOut, timedOut, timedOut])).toBe("infrastructure");
    expect(triageVerdict([killed("SIGKILL"), timedOut])).toBe("infrastructure");
    // An environment run with exit 0 (a machine failure the command's exit does not show) is not a pass.
    expect(triageVerdict([pass, { ...pass, failureClass: "environment" }])).toBe("infrastructure");
  });

  test("a pass is exit 0, no signal, no machine failure", () => {
    expect(runPassed(pass)).toBe(true);
    expect(runPassed(exit(1))).toBe(false);
    expect(runPassed({ exitCode: 0, signal: null, failureClass: "timeout" })).toBe(false);
    expect(runPassed(killed("SIGTERM"))).toBe(false);
  });

  test("no runs is no verdict", () => {
    expect(() => triageVerdict([])).toThrow(RangeError);
  });
});
