import { betaQuantile } from "./beta.ts";

/** What the score reads of each run of one test (oldest first). */
export interface TestRunOutcome {
  commit: string;
  status: "passed" | "failed" | "skipped" | "errored";
}

/**
 * The prior: Beta(1, 9), worth ten runs with one failure (mean 10%). A test with little evidence
 * stays near it; each pass pulls the score down, each failure without a code change pulls it up.
 */
export const PRIOR = { failures: 1, passes: 9 } as const;

/** The credible bound reported beside the mean. */
export const UPPER_BOUND_LEVEL = 0.9;

export interface FlakinessScore {
  /** Posterior mean of the probability that the test fails without a code change. */
  score: number;
  /** 90% upper credible bound of that probability. */
  upper90: number;
  /** Runs the estimate counted: every pass, and the failures on flaky commits. */
  counted: number;
  /** Failures on commits where the test also passed. */
  flakyFailures: number;
  passes: number;
  /** Commits where the test both passed and failed. */
  flakyCommits: number;
  /** Commits where the test only failed (maybe broken, not flaky): their failures are not counted. */
  brokenCommits: number;
}

const failed = (status: TestRunOutcome["status"]) => status === "failed" || status === "errored";

/** Each commit's passes and failures (skips count neither), in the order commits were first seen. */
export function byCommit(history: readonly TestRunOutcome[]): Map<string, { passes: number; failures: number }> {
  const commits = new Map<string, { passes: number; failures: number }>();
  for (const run of history) {
    if (run.status === "skipped") continue;
    const c = commits.get(run.commit) ?? { passes: 0, failures: 0 };
    if (failed(run.status)) c.failures++;
    else c.passes++;
    commits.set(run.commit, c);
  }
  return commits;
}

/**
 * A Bayesian estimate of the test's probability of failing without a code change, in the spirit of
 * Meta's probabilistic flakiness score. Evidence of flakiness is a commit on which the test both
 * passed and failed: the code was the same, the outcome was not. A commit where it only failed may
 * simply be broken, so its failures are left out (and reported as `brokenCommits`). Every pass is
 * evidence the test passes unchanged code, so passes on every commit count. The posterior is
 * Beta(PRIOR.failures + flaky failures, PRIOR.passes + passes); `score` is its mean.
 */
export function flakinessScore(history: readonly TestRunOutcome[]): FlakinessScore {
  let flakyFailures = 0;
  let passes = 0;
  let flakyCommits = 0;
  let brokenCommits = 0;
  for (const c of byCommit(history).values()) {
    passes += c.passes;
    if (c.failures === 0) continue;
    if (c.passes > 0) {
      flakyCommits++;
      flakyFailures += c.failures;
    } else brokenCommits++;
  }
  const a = PRIOR.failures + flakyFailures;
  const b = PRIOR.passes + passes;
  return { score: a / (a + b), upper90: betaQuantile(UPPER_BOUND_LEVEL, a, b), counted: flakyFailures + passes, flakyFailures, passes, flakyCommits, brokenCommits };
}

/**
 * How many of the newest runs passed in a row (the un-quarantine rule reads it). A skipped run is
 * no evidence either way: it neither counts nor ends the streak; a failed or errored one ends it.
 */
export function consecutivePasses(history: readonly TestRunOutcome[]): number {
  let n = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const { status } = history[i]!;
    if (status === "skipped") continue;
    if (status !== "passed") break;
    n++;
  }
  return n;
}
