import { describe, expect, test } from "bun:test";
import { betaCdf, betaQuantile } from "./beta.ts";
import { consecutivePasses, flakinessScore, PRIOR, type TestRunOutcome } from "./flakiness.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const S = { P: "passed", F: "failed", E: "errored", S: "skipped" } as const;

/** "A:PF B:F" → runs on commit A (pass, fail), then B (fail). */
function runs(spec: string): TestRunOutcome[] {
  const commits: Record<string, string> = { A, B, C };
  return spec
    .split(" ")
    .filter(Boolean)
    .flatMap((group) => {
      const [commit, statuses] = group.split(":") as [string, string];
      return [...statuses].map((s) => ({ commit: commits[commit]!, status: S[s as keyof typeof S] }));
    });
}

const mean = (failures: number, passes: number) => (PRIOR.failures + failures) / (PRIOR.failures + failures + PRIOR.passes + passes);

describe("flakinessScore", () => {
  const cases: [string, string, { score: number; flakyFailures: number; passes: number; flakyCommits: number; brokenCommits: number }][] = [
    ["no runs: the prior's mean, 10%", "", { score: 0.1, flakyFailures: 0, passes: 0, flakyCommits: 0, brokenCommits: 0 }],
    ["passes only: the score falls with each", "A:PPP B:PP", { score: mean(0, 5), flakyFailures: 0, passes: 5, flakyCommits: 0, brokenCommits: 0 }],
    ["a commit where it passed and failed: flaky evidence", "A:PF", { score: mean(1, 1), flakyFailures: 1, passes: 1, flakyCommits: 1, brokenCommits: 0 }],
    ["errored counts as failed", "A:PE", { score: mean(1, 1), flakyFailures: 1, passes: 1, flakyCommits: 1, brokenCommits: 0 }],
    ["a commit where it only failed is broken: its failures are left out", "A:FFF", { score: mean(0, 0), flakyFailures: 0, passes: 0, flakyCommits: 0, brokenCommits: 1 }],
    ["broken then fixed: only the passes count", "A:FF B:PPPP", { score: mean(0, 4), flakyFailures: 0, passes: 4, flakyCommits: 0, brokenCommits: 1 }],
    ["skips are no evidence", "A:SSS B:SP", { score: mean(0, 1), flakyFailures: 0, passes: 1, flakyCommits: 0, brokenCommits: 0 }],
    ["a skip and a failure on one commit: still broken", "A:SF", { score: mean(0, 0), flakyFailures: 0, passes: 0, flakyCommits: 0, brokenCommits: 1 }],
    ["every failure on a flaky commit counts, interleaved or not", "A:FPF B:PP C:FF", { score: mean(2, 3), flakyFailures: 2, passes: 3, flakyCommits: 1, brokenCommits: 1 }],
    ["two flaky commits", "A:PF B:FFP C:P", { score: mean(3, 3), flakyFailures: 3, passes: 3, flakyCommits: 2, brokenCommits: 0 }],
    ["runs of one commit need not be adjacent", "A:P B:P A:F", { score: mean(1, 2), flakyFailures: 1, passes: 2, flakyCommits: 1, brokenCommits: 0 }],
  ];
  for (const [name, spec, want] of cases) {
    test(name, () => {
      const got = flakinessScore(runs(spec));
      expect(got.score).toBeCloseTo(want.score, 12);
      expect({ flakyFailures: got.flakyFailures, passes: got.passes, flakyCommits: got.flakyCommits, brokenCommits: got.brokenCommits }).toEqual({
        flakyFailures: want.flakyFailures,
        passes: want.passes,
        flakyCommits: want.flakyCommits,
        brokenCommits: want.brokenCommits,
      });
      expect(got.counted).toBe(want.flakyFailures + want.passes);
      expect(got.upper90).toBeGreaterThan(got.score);
      expect(got.upper90).toBeLessThan(1);
    });
  }

  test("a test failing half the time on unchanged code scores near a half; a stable one near zero", () => {
    const half = runs(Array.from({ length: 50 }, () => "A:PF").join(" "));
    expect(flakinessScore(half).score).toBeCloseTo(51 / 110, 12);
    const stable = runs(`A:${"P".repeat(200)}`);
    expect(flakinessScore(stable).score).toBeLessThan(0.005);
    expect(flakinessScore(stable).upper90).toBeLessThan(0.012);
  });
});

describe("the Beta quantile behind the upper bound", () => {
  // Closed forms: Beta(1, b) has CDF 1-(1-x)^b, Beta(a, 1) has CDF x^a.
  test.each([
    [1, 9],
    [1, 209],
    [1, 1],
  ])("Beta(1, %d) matches its closed form", (a, b) => {
    expect(betaQuantile(0.9, a, b)).toBeCloseTo(1 - Math.pow(0.1, 1 / b), 9);
  });
  test.each([2, 5, 40])("Beta(%d, 1) matches its closed form", (a) => {
    expect(betaQuantile(0.9, a, 1)).toBeCloseTo(Math.pow(0.9, 1 / a), 9);
  });
  test("symmetric Beta(a, a): the CDF at a half is a half", () => {
    for (const a of [0.5, 2, 30, 300]) expect(betaCdf(0.5, a, a)).toBeCloseTo(0.5, 9);
  });
  test("Beta(2, 3) at 0.4: 0.5248 (the polynomial CDF)", () => {
    // I_x(2,3) = 6x^2 - 8x^3 + 3x^4
    const x = 0.4;
    expect(betaCdf(x, 2, 3)).toBeCloseTo(6 * x ** 2 - 8 * x ** 3 + 3 * x ** 4, 10);
  });
});

describe("consecutivePasses", () => {
  const cases: [string, string, number][] = [
    ["no runs", "", 0],
    ["all passed", "A:PPP B:PP", 5],
    ["the newest run failed", "A:PPPF", 0],
    ["passes since the last failure", "A:PFP B:PP", 3],
    ["an error ends the streak like a failure", "A:PPEP", 1],
    ["skips neither count nor end it", "A:PSP B:SSP", 3],
    ["only skips", "A:SS", 0],
    ["skips after a failure do not hide it", "A:PF B:SS", 0],
  ];
  for (const [name, spec, want] of cases) test(name, () => expect(consecutivePasses(runs(spec))).toBe(want));
});
