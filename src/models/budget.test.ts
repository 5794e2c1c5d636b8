import { describe, expect, test } from "bun:test";
import { JobFailure } from "../core/job-failure.ts";
import { BudgetMeter, type BudgetMeterOptions } from "./budget.ts";

const NONE = { wallSeconds: null, tokens: null, costUsd: null, steps: null };

function meter(over: Partial<BudgetMeterOptions> & { clock?: { t: number } } = {}): BudgetMeter {
  const clock = over.clock ?? { t: 1_000_000 };
  return new BudgetMeter({ job: NONE, day: { tokens: null, costUsd: null }, usedToday: { tokens: 0, costUsd: 0 }, now: () => clock.t, ...over });
}

function failureOf(fn: () => void): JobFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof JobFailure) return err;
    throw err;
  }
  throw new Error("expected a JobFailure");
}

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens });

describe("each budget trips with its class, what was used, the limit and the key that raises it", () => {
  const cases: { name: string; options: Partial<BudgetMeterOptions>; run: (m: BudgetMeter, clock: { t: number }) => void; message: RegExp }[] = [
    {
      name: "wall time",
      options: { job: { ...NONE, wallSeconds: 60 } },
      run: (m, clock) => {
        clock.t += 59_000;
        m.check();
        clock.t += 1_500;
        m.check();
      },
      message: /^the job's wall time is used up: 60\.5 s elapsed of 60 s \(raise models\.budget\.job_wall_seconds in \[models\.budget\]\)$/,
    },
    {
      name: "steps: the step after the last allowed one",
      options: { job: { ...NONE, steps: 3 } },
      run: (m) => {
        for (let i = 0; i < 4; i++) m.step();
      },
      message: /^the job's step budget is used up: 4 steps started of 3 steps \(raise models\.budget\.job_steps/,
    },
    {
      name: "the job's tokens, after the charge that reached them",
      options: { job: { ...NONE, tokens: 10_000 } },
      run: (m) => {
        m.charge(usage(6_000, 1_000), 0);
        m.charge(usage(3_000, 500), 0);
      },
      message: /^the job's token budget is used up: 10,500 tokens used of 10,000 tokens \(raise models\.budget\.job_tokens/,
    },
    {
      name: "the job's cost",
      options: { job: { ...NONE, costUsd: 0.5 } },
      run: (m) => {
        m.charge(usage(1, 1), 0.3);
        m.charge(usage(1, 1), 0.25);
      },
      message: /^the job's cost budget is used up: \$0\.55 spent of \$0\.50 \(raise models\.budget\.job_cost_usd/,
    },
    {
      name: "the day's tokens, with what other jobs used today",
      options: { day: { tokens: 1_000_000, costUsd: null }, usedToday: { tokens: 995_000, costUsd: 12 } },
      run: (m) => {
        m.check();
        m.charge(usage(4_000, 999), 0.01);
        m.charge(usage(1, 0), 0);
      },
      message: /^the day's token budget is used up: 1,000,000 tokens used today of 1,000,000 tokens \(raise models\.budget\.day_tokens/,
    },
    {
      name: "the day's cost, already reached before the first call",
      options: { day: { tokens: null, costUsd: 5 }, usedToday: { tokens: 10, costUsd: 5 } },
      run: (m) => m.check(),
      message: /^the day's cost budget is used up: \$5\.00 spent today of \$5\.00 \(raise models\.budget\.day_cost_usd/,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const clock = { t: 1_000_000 };
      const m = meter({ ...c.options, clock });
      const failure = failureOf(() => c.run(m, clock));
      expect(failure.failureClass).toBe("budget_exceeded");
      expect(failure.message).toMatch(c.message);
      expect(failure.evidence.logExcerpt).toMatch(/^this attempt used [\d,]+ tokens \(\d+ in, \d+ out\), \$[\d.]+, \d+ steps, [\d.]+ s$/);
    });
  }
});

test("within every budget nothing throws; no limit is no limit", () => {
  const clock = { t: 0 };
  const m = meter({ clock, job: { wallSeconds: 600, tokens: 100_000, costUsd: 1, steps: 50 }, day: { tokens: 1_000_000, costUsd: 10 }, usedToday: { tokens: 500_000, costUsd: 5 } });
  for (let i = 0; i < 50; i++) {
    m.step();
    m.check();
    m.charge(usage(1_000, 200), 0.01);
    clock.t += 1_000;
  }
  expect(m.used).toEqual({ tokens: 60_000, inputTokens: 50_000, outputTokens: 10_000, costUsd: expect.closeTo(0.5, 9), steps: 50, elapsedSeconds: 50 });
  expect(m.remainingTokens()).toBe(40_000);
  const unlimited = meter();
  for (let i = 0; i < 1000; i++) unlimited.charge(usage(1e6, 1e6), 100);
  expect(unlimited.remainingTokens()).toBeNull();
});

test("the first budget reached is the one named: wall time before steps before tokens before the day", () => {
  const clock = { t: 0 };
  const m = meter({ clock, job: { wallSeconds: 1, tokens: 10, costUsd: null, steps: 1 }, day: { tokens: 10, costUsd: null }, usedToday: { tokens: 0, costUsd: 0 } });
  m.step();
  clock.t = 5_000;
  expect(failureOf(() => m.charge(usage(50, 50), 0)).message).toStartWith("the job's wall time");
});

test("remaining tokens: the smaller of the job's and the day's room, never below 0", () => {
  const m = meter({ job: { ...NONE, tokens: 1_000 }, day: { tokens: 10_000, costUsd: null }, usedToday: { tokens: 9_500, costUsd: 0 } });
  expect(m.remainingTokens()).toBe(500);
  expect(() => m.charge(usage(400, 0), 0)).not.toThrow();
  expect(m.remainingTokens()).toBe(100);
  expect(() => m.charge(usage(400, 0), 0)).toThrow(/day's token budget/);
  expect(m.remainingTokens()).toBe(0);
});

test("a cost budget of 0 lets a free model run, and stops the first call that costs anything", () => {
  const m = meter({ job: { ...NONE, costUsd: 0 }, day: { tokens: null, costUsd: 0 } });
  m.check();
  m.charge(usage(5_000, 500), 0);
  expect(m.steps).toBe(0);
  m.step();
  expect(m.steps).toBe(1);
  expect(() => m.charge(usage(1, 1), 0.0001)).toThrow(/^the job's cost budget is used up: \$0\.0001 spent of \$0\.00/);
});

test("the day seen again mid-job: other jobs' usage since the start counts, this attempt's own charges once, never less than seen", () => {
  const m = meter({ day: { tokens: 10_000, costUsd: null }, usedToday: { tokens: 1_000, costUsd: 0 } });
  m.charge(usage(500, 500), 0);
  m.recorded(usage(500, 500), 0);
  // The server now holds this attempt's 1,000 and another job's 7,000 since the start.
  m.seeDay({ tokens: 9_000, costUsd: 0 });
  expect(m.remainingTokens()).toBe(1_000);
  // A count read before the other job's exchanges were recorded lowers nothing.
  m.seeDay({ tokens: 2_000, costUsd: 0 });
  expect(m.remainingTokens()).toBe(1_000);
  m.seeDay({ tokens: 11_000, costUsd: 0 });
  expect(() => m.step()).toThrow(/^the day's token budget is used up: 11,000 tokens used today of 10,000 tokens/);
});

test("an exchange charged but never recorded (the record failed) hides nobody else's usage", () => {
  const m = meter({ day: { tokens: 10_000, costUsd: null }, usedToday: { tokens: 1_000, costUsd: 0 } });
  m.charge(usage(900, 100), 0);
  // The server holds the day's first 1,000 and another job's 4,000, none of this attempt's.
  m.seeDay({ tokens: 5_000, costUsd: 0 });
  expect(m.remainingTokens()).toBe(4_000);
});

test("the day budget counts the UTC day the job started on", () => {
  const clock = { t: Date.parse("2026-12-04T23:59:30Z") };
  const m = meter({ clock });
  clock.t += 60_000;
  expect(m.day).toBe("2026-12-04");
});
