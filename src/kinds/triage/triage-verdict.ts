import type { TriageRun, TriageVerdict } from "./triage-input.ts";

type RunOutcome = Pick<TriageRun, "exitCode" | "signal" | "failureClass">;

export function runPassed(run: RunOutcome): boolean {
  return run.failureClass === null && run.exitCode === 0 && run.signal === null;
}

/**
 * What the runs say about the check, as the issue defines it: a run that timed out or that the machine
 * spoiled (`environment`: a tool missing, the install failing) makes it `infrastructure`, whatever the
 * other runs did: nothing about the code can be told from it, and nothing is changed for it. Failures
 * that differ from each other (exit 1, then exit 2) are not a reproducible breakage: flaky, like a mix
 * of passes and failures.
 */
export function triageVerdict(runs: readonly RunOutcome[]): TriageVerdict {
  if (runs.length === 0) throw new RangeError("a triage verdict needs at least one run");
  if (runs.some((r) => r.failureClass === "environment" || r.failureClass === "timeout")) return "infrastructure";
  const failed = runs.filter((r) => !runPassed(r));
  if (failed.length === 0) return "passes";
  if (failed.length < runs.length) return "flaky";
  const first = failed[0]!;
  return failed.every((r) => r.exitCode === first.exitCode && r.signal === first.signal) ? "broken" : "flaky";
}
