/**
 * Whether a change is faster, judged from runs of one benchmark on the base and on the change, taken in
 * turns on the same machine in one job. Improved means both: the median gained at least `minImprovement`,
 * and every run of the change beat every run of the base (the two sets do not overlap, so the gain is
 * beyond the noise the runs themselves show). Regressed is the mirror image; anything else is the same.
 */
export interface BenchmarkSamples {
  name: string;
  /** "ms": the command's wall time; else what its `figure` reads. */
  unit: string;
  higherIsBetter: boolean;
  base: number[];
  change: number[];
}

export interface BenchmarkVerdict {
  name: string;
  unit: string;
  baseMedian: number;
  changeMedian: number;
  /** How many times better the change is (above 1: better), whichever way the figure points. */
  ratio: number;
  /** Whether every run of one side beat every run of the other. */
  separated: boolean;
  outcome: "improved" | "regressed" | "same";
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function judgeBenchmark(samples: BenchmarkSamples, minImprovement: number): BenchmarkVerdict {
  const baseMedian = median(samples.base);
  const changeMedian = median(samples.change);
  // A ratio needs figures above zero: a zero, negative or missing one shows nothing either way.
  const measurable = [...samples.base, ...samples.change].every((x) => Number.isFinite(x) && x > 0);
  if (!measurable) return { name: samples.name, unit: samples.unit, baseMedian, changeMedian, ratio: 1, separated: false, outcome: "same" };
  // Oriented so that "better" is always "bigger" below.
  const better = (x: number) => (samples.higherIsBetter ? x : -x);
  const ratio = samples.higherIsBetter ? changeMedian / baseMedian : baseMedian / changeMedian;
  const changeWorst = Math.min(...samples.change.map(better));
  const changeBest = Math.max(...samples.change.map(better));
  const baseWorst = Math.min(...samples.base.map(better));
  const baseBest = Math.max(...samples.base.map(better));
  const faster = changeWorst > baseBest;
  const slower = changeBest < baseWorst;
  const outcome = faster && ratio >= 1 + minImprovement ? "improved" : slower && ratio <= 1 / (1 + minImprovement) ? "regressed" : "same";
  return { name: samples.name, unit: samples.unit, baseMedian, changeMedian, ratio, separated: faster || slower, outcome };
}

function figure(n: number, unit: string): string {
  return `${Number.isInteger(n) ? n : n.toPrecision(4)}${unit === "ms" ? " ms" : ""}`;
}

/** One line of the PR's (or the refusal's) table. */
export function verdictLine(v: BenchmarkVerdict, runs: number): string {
  const spread = v.separated ? "no run overlaps" : "the runs overlap";
  return `\`${v.name}\`: ${figure(v.baseMedian, v.unit)} → ${figure(v.changeMedian, v.unit)} (median of ${runs}), ${v.ratio.toFixed(3)}× ${v.ratio >= 1 ? "better" : "worse"}, ${spread}: ${v.outcome}`;
}
