import { z } from "zod";
import { CheckCommand } from "../../config/check-settings.ts";
import { Sha } from "../../core/sha.ts";
import { MAX_TEST_ID, TestStatus } from "../../test-results/test-outcome.ts";

/** Bisection steps one job may make: 12 halvings tell apart the 4096 commits a bisect takes at most. */
export const MAX_BISECT_STEPS = 12;
/** Files of a culprit the result lists: more is more than a revert's scope takes anyway. */
export const MAX_CULPRIT_FILES = 4096;

/** The commits between good and bad a bisect takes on (2^MAX_BISECT_STEPS); a longer range is refused. */
export const MAX_BISECT_CANDIDATES = 4096;

/**
 * `bisect`: the CI Medic's search for the commit that broke one check. Built by the server only, from its
 * own records: `good` is the last commit the check passed on, `bad` a red one after it; the check must be
 * one the config committed at `bad` names, and each commit's install settings come from its own config.
 */
export const BisectInput = z
  .strictObject({
    /** The branch the check went red on: data for whoever reads the result. */
    branch: z.string().min(1).max(255).regex(/^[^\s~^:?*[\\]+$/, "must be a branch name").nullable().default(null),
    /** The last commit the check passed on: trusted, never rerun. */
    good: Sha,
    /** A commit the check failed on, after `good` on its first-parent line: rerun once first to confirm it. */
    bad: Sha,
    check: CheckCommand,
    /** The failing test's id (file > describe path > name) when the report named one: each step is judged by it when the check wrote a readable report. */
    testId: z.string().min(1).max(MAX_TEST_ID).nullable().default(null),
    /** Bisection runs at most, besides the one that confirms `bad`. */
    maxSteps: z.number().int().min(1).max(MAX_BISECT_STEPS).default(8),
    commandTimeoutSeconds: z.number().int().min(1).max(3600).default(900),
  })
  .refine((input) => input.good !== input.bad, { message: "must differ from good: a bisect needs a range", path: ["bad"] });
export type BisectInput = z.infer<typeof BisectInput>;

/** What one step says about its commit; `skip`: nothing (it timed out, the machine could not run it, the test was not there). */
export const BisectOutcome = z.enum(["good", "bad", "skip"]);
export type BisectOutcome = z.infer<typeof BisectOutcome>;

/** Why a step says nothing about the check: it ran past its time, or this machine could not run it (`git bisect skip`). */
export const BisectFailureClass = z.enum(["timeout", "environment"]);
export type BisectFailureClass = z.infer<typeof BisectFailureClass>;

/** One run of the check in a fresh checkout of one commit. */
export const BisectStep = z.strictObject({
  commit: Sha,
  /** `confirm`: the run at `bad` before the search; `bisect`: a step of the search. */
  kind: z.enum(["confirm", "bisect"]),
  outcome: BisectOutcome,
  /** Null when the check never ran (its dependencies could not be prepared) or was killed. */
  exitCode: z.number().int().nullable(),
  signal: z.string().max(32).nullable(),
  /** The check command's own time; when it never ran, the time spent getting to it. */
  durationMs: z.number().int().nonnegative(),
  /** The named test's status in this run's report; null without a test id, a readable report, or the test in it. */
  testStatus: TestStatus.nullable(),
  failureClass: BisectFailureClass.nullable(),
  /** For a skip: why (the machine's message, a missing test). */
  reason: z.string().max(4096).optional(),
  /** The run's last output lines (install and check), redacted as log lines are. */
  logExcerpt: z.string().max(8192),
});
export type BisectStep = z.infer<typeof BisectStep>;

/**
 * `found`: `culprit` is the first bad commit (its first parent is good); `narrowed`: the steps ran out, or
 * skipped commits left several suspects (`narrowedTo`); `not_reproduced`: the check passes at `bad` now;
 * `unconfirmed`: the run at `bad` could not tell (a timeout, the machine's trouble, the test missing).
 */
export const BisectVerdict = z.enum(["found", "narrowed", "not_reproduced", "unconfirmed"]);
export type BisectVerdict = z.infer<typeof BisectVerdict>;

/** The suspects left: the commits `first..last` on the first-parent line (both included), `commits` of them. */
export const BisectRange = z.strictObject({ first: Sha, last: Sha, commits: z.number().int().min(1) });
export type BisectRange = z.infer<typeof BisectRange>;

/** The job succeeds with this in every verdict: the search itself worked. */
export const BisectResult = z.strictObject({
  verdict: BisectVerdict,
  good: Sha,
  bad: Sha,
  /** The check's name. */
  check: z.string().min(1).max(64),
  testId: z.string().min(1).max(MAX_TEST_ID).nullable(),
  /** The commits of good..bad on bad's first-parent line: what was searched. */
  candidates: z.number().int().min(1).max(MAX_BISECT_CANDIDATES),
  culprit: Sha.nullable(),
  culpritSubject: z.string().max(300).nullable(),
  culpritAuthor: z.string().max(200).nullable(),
  /** For `found`: the culprit's parents (the first is what a revert undoes it against) and the files it changed, as host git says. */
  culpritParents: z.array(Sha).max(64).default([]),
  culpritFiles: z.array(z.string().min(1).max(4096)).max(MAX_CULPRIT_FILES).default([]),
  /** Set for `narrowed`: where the culprit is. */
  narrowedTo: BisectRange.nullable(),
  steps: z.array(BisectStep).min(1).max(MAX_BISECT_STEPS + 1),
});
export type BisectResult = z.infer<typeof BisectResult>;
