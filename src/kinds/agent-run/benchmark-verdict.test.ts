import { expect, test } from "bun:test";
import { judgeBenchmark, median, verdictLine } from "./benchmark-verdict.ts";

const ms = (base: number[], change: number[]) => ({ name: "parse", unit: "ms", higherIsBetter: false, base, change });

test("median of odd and even counts", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
});

test("a change whose every run beats every base run by more than the minimum is improved", () => {
  const v = judgeBenchmark(ms([100, 104, 98, 101, 99], [60, 62, 61, 59, 63]), 0.05);
  expect(v).toMatchObject({ baseMedian: 100, changeMedian: 61, separated: true, outcome: "improved" });
  expect(v.ratio).toBeCloseTo(100 / 61);
  expect(verdictLine(v, 5)).toBe("`parse`: 100 ms → 61 ms (median of 5), 1.639× better, no run overlaps: improved");
});

test("a better median inside the noise is no improvement: one slow run of the change overlaps the base", () => {
  expect(judgeBenchmark(ms([100, 101, 99, 100, 102], [70, 72, 71, 99.5, 69]), 0.05).outcome).toBe("same");
});

test("separated but under the minimum gain is the same", () => {
  expect(judgeBenchmark(ms([100, 100.5, 100.2], [98, 98.1, 98.2]), 0.05).outcome).toBe("same");
});

test("slower on every run is a regression; a higher-is-better figure points the other way", () => {
  expect(judgeBenchmark(ms([50, 51, 52], [80, 81, 82]), 0.05).outcome).toBe("regressed");
  const ops = { name: "ops", unit: "ops/s", higherIsBetter: true, base: [1000, 1010, 990], change: [1500, 1490, 1510] };
  expect(judgeBenchmark(ops, 0.05)).toMatchObject({ outcome: "improved", ratio: 1.5 });
});

test("a zero or negative figure shows nothing either way: the same, ratio 1, never improved", () => {
  expect(judgeBenchmark(ms([5, 5, 5], [0, 0, 0]), 0.05)).toMatchObject({ outcome: "same", ratio: 1, separated: false });
  expect(judgeBenchmark({ name: "ops", unit: "", higherIsBetter: true, base: [0, 0, 0], change: [9, 9, 9] }, 0.05).outcome).toBe("same");
  expect(judgeBenchmark(ms([-5, -5, -5], [-50, -50, -50]), 0.05).outcome).toBe("same");
});
