import type { TestStatus } from "../../test-results/test-outcome.ts";
import type { BisectFailureClass, BisectOutcome, BisectRange } from "./bisect-input.ts";

/**
 * What to do next: test `commit`, or stop with the culprit, or stop with several suspects every one of
 * which is skipped (`ambiguous`). `range` is always the suspects left (the culprit alone when found).
 */
export type BisectNext = { type: "test"; commit: string; range: BisectRange } | { type: "culprit"; culprit: string; range: BisectRange } | { type: "ambiguous"; range: BisectRange };

/**
 * The binary search, pure. `candidates` are the commits of good..bad on bad's first-parent line, oldest
 * first: good is the first one's parent and good by premise, the last one is bad by premise (confirmed
 * before the search). `outcomes` holds what the steps said. The suspects are the commits after the newest
 * good and up to the oldest bad; one suspect left is the culprit. The next commit is the middle suspect
 * (the one whose outcome halves them), or, when that one was skipped, the nearest untried one to it
 * (`git bisect skip`; the older on a tie). A good outcome after a bad one (a flaky check) is ignored:
 * the oldest bad wins, and only commits before it are searched.
 */
export function nextBisectStep(candidates: readonly string[], outcomes: ReadonlyMap<string, BisectOutcome>): BisectNext {
  if (candidates.length === 0) throw new RangeError("a bisect needs at least one candidate");
  let hi = candidates.length - 1;
  for (let i = 0; i < candidates.length - 1; i++) {
    if (outcomes.get(candidates[i]!) === "bad") {
      hi = i;
      break;
    }
  }
  let lo = -1;
  for (let i = hi - 1; i >= 0; i--) {
    if (outcomes.get(candidates[i]!) === "good") {
      lo = i;
      break;
    }
  }
  const range: BisectRange = { first: candidates[lo + 1]!, last: candidates[hi]!, commits: hi - lo };
  if (hi - lo === 1) return { type: "culprit", culprit: candidates[hi]!, range };
  const mid = lo + Math.floor((hi - lo) / 2);
  const untried: number[] = [];
  for (let i = lo + 1; i < hi; i++) if (!outcomes.has(candidates[i]!)) untried.push(i);
  if (untried.length === 0) return { type: "ambiguous", range };
  untried.sort((a, b) => Math.abs(a - mid) - Math.abs(b - mid) || a - b);
  return { type: "test", commit: candidates[untried[0]!]!, range };
}

/** How one run of the check ended, as the step judges it. */
export interface StepRun {
  exitCode: number | null;
  signal: string | null;
  /** It exited non-zero, but every test that failed is quarantined: the check passed, as checks judge it. */
  waived?: boolean | undefined;
  /** The run says nothing about the check: it timed out, or the machine could not run it. */
  failureClass: BisectFailureClass | null;
}

/** The run's test report as a check's outcome carries it (CheckTests): only the outcomes are read. */
export interface StepTests {
  outcomes: readonly { id: string; status: TestStatus }[];
}

export interface StepVerdict {
  outcome: BisectOutcome;
  testStatus: TestStatus | null;
  /** Why a step that ran is a skip. */
  reason?: string;
}

/**
 * One step's outcome. A run that timed out or that this machine could not do is a skip. With the failing
 * test's id and a report of the run, the test decides: failed or errored is bad, passed is good, skipped or
 * not in the report is a skip (the test may not exist yet at that commit, or was omitted from a huge
 * report; either way this run says nothing about it). Without either, the check's own verdict does: exit
 * 0, or a failure of quarantined tests only (waived), is good.
 */
export function judgeStep(run: StepRun, testId: string | null, tests: StepTests | undefined): StepVerdict {
  if (run.failureClass) return { outcome: "skip", testStatus: null };
  if (testId !== null && tests) {
    const status = tests.outcomes.find((t) => t.id === testId)?.status ?? null;
    if (status === "failed" || status === "errored") return { outcome: "bad", testStatus: status };
    if (status === "passed") return { outcome: "good", testStatus: status };
    return { outcome: "skip", testStatus: status, reason: status === "skipped" ? `${testId} was skipped in this run` : `${testId} is not in this run's test report` };
  }
  return { outcome: (run.exitCode === 0 && run.signal === null) || run.waived === true ? "good" : "bad", testStatus: null };
}
