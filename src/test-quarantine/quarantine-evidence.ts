import { dayStart, type QuarantineEntry } from "./quarantine-entry.ts";

/** Runs an entry's evidence needs at least: one failure and one pass among them is what flaky means. */
export const MIN_EVIDENCE_RUNS = 2;

const DAY_MS = 86_400_000;

/**
 * Why an entry's evidence does not show a flaky test (empty when it does): at least MIN_EVIDENCE_RUNS
 * runs, at least one failure and at least one pass (a test that failed every run is broken: fixed or
 * reverted, never quarantined), a score above 0, and an `added` date that is not in the future (its
 * expiry counts from it). The schema already holds the rest: commits, a triage job, a bounded expiry.
 */
export function evidenceProblems(entry: QuarantineEntry, now: number = Date.now()): string[] {
  const problems: string[] = [];
  if (entry.runs < MIN_EVIDENCE_RUNS) problems.push(`${entry.runs} run(s): flaky evidence needs at least ${MIN_EVIDENCE_RUNS}`);
  if (entry.failures < 1) problems.push(`no failure among its ${entry.runs} runs: nothing to quarantine`);
  else if (entry.failures >= entry.runs) problems.push(`failed all ${entry.runs} runs: that is a broken test, not a flaky one (fix or revert it)`);
  if (entry.score <= 0) problems.push("a flakiness score of 0");
  const added = dayStart(entry.added);
  if (added !== null && added > now + DAY_MS) problems.push(`added ${entry.added}, a date still to come (its expiry counts from it)`);
  return problems;
}
