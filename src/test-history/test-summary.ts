import { z } from "zod";
import { TestStatus } from "../test-results/test-outcome.ts";
import type { TestKey, TestRunRow } from "../store/test-runs/test-run-rows.ts";
import { byCommit, consecutivePasses, flakinessScore } from "./flakiness.ts";

/** Commits listed as a test's evidence: the most recent ones it failed on. */
export const MAX_EVIDENCE_COMMITS = 10;

/** One commit a test failed on: flaky if it also passed there, else broken (maybe). */
export const FailedCommit = z.object({
  commit: z.string(),
  branch: z.string().nullable(),
  passes: z.number().int(),
  failures: z.number().int(),
  verdict: z.enum(["flaky", "broken"]),
  /** Its newest failure there. */
  lastFailureAt: z.number().int(),
});
export type FailedCommit = z.infer<typeof FailedCommit>;

/** One test's kept history, summed up: its flakiness score and the evidence behind it. */
export const TestSummary = z.object({
  id: z.string(),
  check: z.string(),
  /** Runs kept (every status; the newest KEPT_RUNS_PER_TEST at most). */
  runs: z.number().int(),
  passes: z.number().int(),
  /** Failed or errored runs. */
  failures: z.number().int(),
  skipped: z.number().int(),
  flakyCommits: z.number().int(),
  brokenCommits: z.number().int(),
  /** Probability of failing without a code change (posterior mean; see flakiness.ts). */
  score: z.number(),
  /** Its 90% upper credible bound. */
  upper90: z.number(),
  /** The newest runs that passed in a row (skips neither count nor break it). */
  consecutivePasses: z.number().int(),
  /** Its latest run's quarantine list named it (its failure did not fail the check). */
  quarantined: z.boolean(),
  latestStatus: TestStatus,
  lastFailureMessage: z.string().nullable(),
  lastFailureAt: z.number().int().nullable(),
  lastSeen: z.number().int(),
  /** The most recent commits it failed on, newest first (at most MAX_EVIDENCE_COMMITS). */
  commits: z.array(FailedCommit),
});
export type TestSummary = z.infer<typeof TestSummary>;

/** A test's summary from its runs (oldest first); null with no runs. */
export function summarizeTest(key: TestKey, history: readonly TestRunRow[]): TestSummary | null {
  const latest = history.at(-1);
  if (!latest) return null;
  const flakiness = flakinessScore(history);
  const counts = { passed: 0, failed: 0, skipped: 0, errored: 0 };
  let lastFailure: TestRunRow | null = null;
  // Per commit: a branch a run of it named, and its newest failure.
  const seen = new Map<string, { branch: string | null; failedAt: number }>();
  for (const run of history) {
    counts[run.status]++;
    const failed = run.status === "failed" || run.status === "errored";
    if (failed) lastFailure = run;
    const c = seen.get(run.commit);
    seen.set(run.commit, { branch: run.branch ?? c?.branch ?? null, failedAt: failed ? run.recordedAt : (c?.failedAt ?? 0) });
  }
  const commits: FailedCommit[] = [];
  for (const [commit, c] of byCommit(history)) {
    if (c.failures === 0) continue;
    const at = seen.get(commit)!;
    commits.push({ commit, branch: at.branch, passes: c.passes, failures: c.failures, verdict: c.passes > 0 ? "flaky" : "broken", lastFailureAt: at.failedAt });
  }
  // Newest failure first; on a tie, the commit seen later.
  commits.reverse().sort((x, y) => y.lastFailureAt - x.lastFailureAt);
  return {
    id: key.testId,
    check: key.check,
    runs: history.length,
    passes: counts.passed,
    failures: counts.failed + counts.errored,
    skipped: counts.skipped,
    flakyCommits: flakiness.flakyCommits,
    brokenCommits: flakiness.brokenCommits,
    score: flakiness.score,
    upper90: flakiness.upper90,
    consecutivePasses: consecutivePasses(history),
    quarantined: latest.quarantined,
    latestStatus: latest.status,
    lastFailureMessage: lastFailure?.message ?? null,
    lastFailureAt: lastFailure?.recordedAt ?? null,
    lastSeen: latest.recordedAt,
    commits: commits.slice(0, MAX_EVIDENCE_COMMITS),
  };
}

/** `GET /flaky`: the flakiest tests first, with the prior and the history the scores read. */
export const FlakyTests = z.object({
  tests: z.array(TestSummary),
  /** The Beta prior's pseudo-counts (see flakiness.ts). */
  prior: z.object({ failures: z.number(), passes: z.number() }),
  /** Runs kept per test (check and test id): the scores read at most these. */
  keptRunsPerTest: z.number().int(),
  keptDays: z.number().int(),
});
export type FlakyTests = z.infer<typeof FlakyTests>;
