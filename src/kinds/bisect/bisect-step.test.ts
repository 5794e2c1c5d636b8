import { describe, expect, test } from "bun:test";
import type { BisectOutcome } from "./bisect-input.ts";
import { judgeStep, nextBisectStep, type StepRun } from "./bisect-step.ts";

/** Commits c0..c(n-1), oldest first; their names are their indices. */
const commits = (n: number) => Array.from({ length: n }, (_, i) => `c${i}`);
const said = (entries: Record<string, BisectOutcome>) => new Map(Object.entries(entries));

describe("nextBisectStep", () => {
  test.each([
    // [candidates, outcomes, what comes next]
    ["one candidate: it is the culprit, no step needed", 1, {}, { type: "culprit", culprit: "c0", range: { first: "c0", last: "c0", commits: 1 } }],
    ["two: test the older one", 2, {}, { type: "test", commit: "c0", range: { first: "c0", last: "c1", commits: 2 } }],
    ["two, the older good: the newer is the culprit", 2, { c0: "good" }, { type: "culprit", culprit: "c1", range: { first: "c1", last: "c1", commits: 1 } }],
    ["two, the older bad: it is the culprit", 2, { c0: "bad" }, { type: "culprit", culprit: "c0", range: { first: "c0", last: "c0", commits: 1 } }],
    ["nine: the middle of the suspects", 9, {}, { type: "test", commit: "c3" }],
    ["nine, the middle good: the middle of the rest", 9, { c3: "good" }, { type: "test", commit: "c5", range: { first: "c4", last: "c8", commits: 5 } }],
    ["nine, good then bad", 9, { c3: "good", c5: "bad" }, { type: "test", commit: "c4", range: { first: "c4", last: "c5", commits: 2 } }],
    ["nine, bracketed to one", 9, { c3: "good", c5: "bad", c4: "bad" }, { type: "culprit", culprit: "c4" }],
    ["the middle skipped: its nearest neighbour, the older on a tie", 9, { c3: "skip" }, { type: "test", commit: "c2" }],
    ["the middle and its older neighbour skipped: the newer one", 9, { c3: "skip", c2: "skip" }, { type: "test", commit: "c4" }],
    ["skips next to the culprit: the suspects are those left untold", 5, { c1: "good", c2: "skip", c3: "skip" }, { type: "ambiguous", range: { first: "c2", last: "c4", commits: 3 } }],
    ["a skip between a good and a bad, the bad being the skip's newer neighbour", 4, { c0: "good", c1: "skip", c2: "bad" }, { type: "ambiguous", range: { first: "c1", last: "c2", commits: 2 } }],
    ["skips outside the suspects do not matter", 6, { c0: "skip", c2: "good", c4: "bad", c3: "skip" }, { type: "ambiguous", range: { first: "c3", last: "c4", commits: 2 } }],
    ["a good after the oldest bad (a flaky check) is ignored", 8, { c2: "bad", c5: "good" }, { type: "test", commit: "c0", range: { first: "c0", last: "c2", commits: 3 } }],
    ["the last candidate is bad by premise whatever the map says", 3, { c2: "good", c1: "good" }, { type: "culprit", culprit: "c2" }],
  ] as const)("%s", (_name, n, outcomes, expected) => {
    expect(nextBisectStep(commits(n), said(outcomes as Record<string, BisectOutcome>))).toMatchObject(expected);
  });

  test("no candidates is no bisect", () => {
    expect(() => nextBisectStep([], new Map())).toThrow(RangeError);
  });

  test("every culprit in every range up to 300 commits is found in at most ceil(log2 n) steps", () => {
    for (let n = 1; n <= 300; n++) {
      const candidates = commits(n);
      const bound = Math.ceil(Math.log2(n));
      for (let culprit = 0; culprit < n; culprit++) {
        const outcomes = new Map<string, BisectOutcome>();
        let next = nextBisectStep(candidates, outcomes);
        let steps = 0;
        while (next.type === "test") {
          outcomes.set(next.commit, Number(next.commit.slice(1)) >= culprit ? "bad" : "good");
          steps++;
          next = nextBisectStep(candidates, outcomes);
        }
        expect(next).toMatchObject({ type: "culprit", culprit: `c${culprit}` });
        if (steps > bound) throw new Error(`n=${n}, culprit c${culprit}: ${steps} steps, more than ${bound}`);
      }
    }
  });

  test("with a commit that always skips, the culprit is still found next to it, or the two are named together", () => {
    const candidates = commits(16);
    for (const skipped of [0, 5, 7, 8, 14]) {
      for (let culprit = 0; culprit < 16; culprit++) {
        const outcomes = new Map<string, BisectOutcome>();
        let next = nextBisectStep(candidates, outcomes);
        while (next.type === "test") {
          const i = Number(next.commit.slice(1));
          outcomes.set(next.commit, i === skipped ? "skip" : i >= culprit ? "bad" : "good");
          next = nextBisectStep(candidates, outcomes);
        }
        if (next.type === "culprit") expect(next.culprit).toBe(`c${culprit}`);
        else {
          // Only the skipped commit and the one after it can be left undecided.
          expect(next).toEqual({ type: "ambiguous", range: { first: `c${skipped}`, last: `c${skipped + 1}`, commits: 2 } });
          expect([skipped, skipped + 1]).toContain(culprit);
        }
      }
    }
  });
});

describe("judgeStep", () => {
  const exit = (code: number | null, signal: string | null = null): StepRun => ({ exitCode: code, signal, failureClass: null });
  const report = (outcomes: { id: string; status: "passed" | "failed" | "skipped" | "errored" }[]) => ({ outcomes });
  const id = "test/a.test.ts > math > adds";

  test.each([
    ["exit 0 is good", exit(0), null, undefined, { outcome: "good", testStatus: null }],
    ["exit 1 is bad", exit(1), null, undefined, { outcome: "bad", testStatus: null }],
    ["exit 1 with only quarantined tests failing (waived) is good", { exitCode: 1, signal: null, waived: true, failureClass: null }, null, undefined, { outcome: "good", testStatus: null }],
    ["killed by a signal is bad", exit(null, "SIGKILL"), null, undefined, { outcome: "bad", testStatus: null }],
    ["a timeout is a skip", { exitCode: null, signal: "SIGKILL", failureClass: "timeout" }, null, undefined, { outcome: "skip", testStatus: null }],
    ["the machine's trouble is a skip, whatever the exit code", { exitCode: 127, signal: null, failureClass: "environment" }, null, undefined, { outcome: "skip" }],
    ["the machine's trouble is a skip even with the test in a report", { exitCode: 1, signal: null, failureClass: "environment" }, id, report([{ id, status: "failed" }]), { outcome: "skip", testStatus: null }],
    ["a test id and no report: the exit code decides", exit(1), id, undefined, { outcome: "bad", testStatus: null }],
    ["the test failed: bad", exit(1), id, report([{ id: "other", status: "passed" }, { id, status: "failed" }]), { outcome: "bad", testStatus: "failed" }],
    ["the test errored: bad", exit(1), id, report([{ id, status: "errored" }]), { outcome: "bad", testStatus: "errored" }],
    ["the test passed while another failed: good", exit(1), id, report([{ id, status: "passed" }, { id: "other", status: "failed" }]), { outcome: "good", testStatus: "passed" }],
    ["the test failed in a check that exited 0 (quarantined): bad", exit(0), id, report([{ id, status: "failed" }]), { outcome: "bad", testStatus: "failed" }],
    ["the test is not in the report: skip", exit(1), id, report([{ id: "other", status: "failed" }]), { outcome: "skip", testStatus: null, reason: `${id} is not in this run's test report` }],
    ["the test was skipped: skip", exit(0), id, report([{ id, status: "skipped" }]), { outcome: "skip", testStatus: "skipped" }],
    ["a report without a test id: the exit code decides", exit(0), null, report([{ id, status: "failed" }]), { outcome: "good", testStatus: null }],
  ] as const)("%s", (_name, run, testId, tests, expected) => {
    expect(judgeStep(run as StepRun, testId, tests)).toMatchObject(expected);
  });
});
