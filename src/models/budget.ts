import { JobFailure } from "../core/job-failure.ts";
import type { ModelUsage } from "./model-types.ts";
import type { ModelsSettings } from "./models-settings.ts";
import { utcDay } from "./model-usage.ts";

export { LoopDetector, normalizeCommand, type LoopRules, type StepObservation } from "./loop-detector.ts";

/**
 * The budgets of one model-backed job (#19), `[models.budget]`: pure, its clock given. A limit of null
 * is no limit. A budget is reached when what it counts is at or over its limit (no room is left for
 * another call) and is not zero (a cost budget of 0 lets only a free model run), and `check` then throws JobFailure("budget_exceeded") naming the budget, its limit,
 * the amount used and the config key that raises it. The loop checks before each model call
 * (`step`, then `check`) and after each charge (`charge` checks itself).
 *
 * The day budget counts the usage of the UTC day the job started: what the server had recorded for
 * that day at the job's start (every job's exchanges, this job's earlier attempts included) plus this
 * attempt's own charges. Before each later call the loop shows the meter the server's count of that day
 * again (`seeDay`, this attempt's recorded exchanges taken out), so jobs running at the same time see each
 * other's usage: at most the calls in flight at once can pass the day's limit, never a whole job's.
 */

export interface JobBudget {
  wallSeconds: number | null;
  tokens: number | null;
  costUsd: number | null;
  /** Model calls (steps of the loop). */
  steps: number | null;
}

export interface DayBudget {
  tokens: number | null;
  costUsd: number | null;
}

export interface DayUsage {
  tokens: number;
  costUsd: number;
}

export interface BudgetMeterOptions {
  job: JobBudget;
  day: DayBudget;
  /** The day's usage so far, from the server at the job's start (`ctx.modelUsageToday()`). */
  usedToday: DayUsage;
  /** Milliseconds; default Date.now. */
  now?: () => number;
  /** When the job's wall time started; default `now()` at construction. */
  startedAt?: number;
}

/** What the meter has counted for this job (attempt). */
export interface BudgetUsage {
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  steps: number;
  elapsedSeconds: number;
}

type BudgetName = "job_wall_seconds" | "job_steps" | "job_tokens" | "job_cost_usd" | "day_tokens" | "day_cost_usd";

interface Reached {
  budget: BudgetName;
  limit: number;
  used: number;
  what: string;
}

const tokens = (n: number) => `${Math.round(n).toLocaleString("en-US")} tokens`;
export const usd = (n: number): string => `$${n.toFixed(n !== 0 && Math.abs(n) < 0.01 ? 4 : 2)}`;

const DESCRIBE: Record<BudgetName, { name: string; amount: (n: number) => string }> = {
  job_wall_seconds: { name: "the job's wall time", amount: (n) => `${Math.round(n * 10) / 10} s` },
  job_steps: { name: "the job's step budget", amount: (n) => `${n} steps` },
  job_tokens: { name: "the job's token budget", amount: tokens },
  job_cost_usd: { name: "the job's cost budget", amount: usd },
  day_tokens: { name: "the day's token budget", amount: tokens },
  day_cost_usd: { name: "the day's cost budget", amount: usd },
};

export class BudgetMeter {
  private readonly now: () => number;
  private readonly startedAt: number;
  private inputTokens = 0;
  private outputTokens = 0;
  private costUsd = 0;
  private stepCount = 0;
  /** Every other exchange of the day: the server's count, this attempt's own recorded exchanges not in it. */
  private usedToday: DayUsage;
  /** This attempt's exchanges the server has recorded (its day count holds them; a failed record does not). */
  private recordedTokens = 0;
  private recordedCostUsd = 0;

  constructor(private readonly options: BudgetMeterOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = options.startedAt ?? this.now();
    this.usedToday = options.usedToday;
  }

  /** The UTC day the job started, whose usage the day budget counts (`YYYY-MM-DD`). */
  get day(): string {
    return utcDay(this.startedAt);
  }

  /** One of this attempt's exchanges is recorded on the server: its day count now holds it. */
  recorded(usage: ModelUsage, costUsd: number): void {
    this.recordedTokens += usage.inputTokens + usage.outputTokens;
    this.recordedCostUsd += costUsd;
  }

  /**
   * The server's count of the job's day now, which holds this attempt's recorded exchanges: what is over
   * them is other jobs' usage (this attempt's own charges count once, recorded or not). Never lowers what
   * was seen (a count read before another).
   */
  seeDay(serverDay: DayUsage): void {
    this.usedToday = {
      tokens: Math.max(this.usedToday.tokens, serverDay.tokens - this.recordedTokens),
      costUsd: Math.max(this.usedToday.costUsd, serverDay.costUsd - this.recordedCostUsd),
    };
  }

  /** Counts one model call's tokens and cost, then checks (the call that reached a budget ends the job). */
  charge(usage: ModelUsage, costUsd: number): void {
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.costUsd += costUsd;
    this.check();
  }

  /** Counts a step about to start (before its model call), then checks: the step after the last allowed one throws. */
  step(): void {
    this.stepCount++;
    this.check();
  }

  /** Throws JobFailure("budget_exceeded") if a budget is reached; the first of wall time, steps, the job's tokens and cost, the day's. */
  check(): void {
    const reached = this.reached();
    if (!reached) return;
    const d = DESCRIBE[reached.budget];
    const key = `models.budget.${reached.budget}`;
    const u = this.used;
    // The evidence schema is the taxonomy's (core/failures.ts): what the job used, as one line.
    const usage = `this attempt used ${tokens(u.tokens)} (${u.inputTokens} in, ${u.outputTokens} out), ${usd(u.costUsd)}, ${u.steps} steps, ${u.elapsedSeconds.toFixed(1)} s`;
    throw new JobFailure("budget_exceeded", `${d.name} is used up: ${d.amount(reached.used)} ${reached.what} of ${d.amount(reached.limit)} (raise ${key} in [models.budget])`, { logExcerpt: usage });
  }

  /** Tokens left before a budget of tokens (the job's or the day's) is reached; null when neither has a limit. For a call's `maxOutputTokens`. */
  remainingTokens(): number | null {
    const { job, day } = this.options;
    const { usedToday } = this;
    const left = [job.tokens === null ? null : job.tokens - this.tokens, day.tokens === null ? null : day.tokens - usedToday.tokens - this.tokens].filter((n): n is number => n !== null);
    return left.length === 0 ? null : Math.max(0, Math.min(...left));
  }

  get used(): BudgetUsage {
    return {
      tokens: this.tokens,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      costUsd: this.costUsd,
      steps: this.stepCount,
      elapsedSeconds: (this.now() - this.startedAt) / 1000,
    };
  }

  /** The steps started so far. */
  get steps(): number {
    return this.stepCount;
  }

  private get tokens(): number {
    return this.inputTokens + this.outputTokens;
  }

  private reached(): Reached | null {
    const { job, day } = this.options;
    const { usedToday } = this;
    const elapsed = (this.now() - this.startedAt) / 1000;
    const checks: [BudgetName, number | null, number, string][] = [
      ["job_wall_seconds", job.wallSeconds, elapsed, "elapsed"],
      // `step` counts the step starting: the one after the last allowed is over, the last itself is not.
      ["job_steps", job.steps === null ? null : job.steps + 1, this.stepCount, "started"],
      ["job_tokens", job.tokens, this.tokens, "used"],
      ["job_cost_usd", job.costUsd, this.costUsd, "spent"],
      ["day_tokens", day.tokens, usedToday.tokens + this.tokens, "used today"],
      ["day_cost_usd", day.costUsd, usedToday.costUsd + this.costUsd, "spent today"],
    ];
    for (const [budget, limit, used, what] of checks) {
      if (limit !== null && used >= limit && used > 0) return { budget, limit: budget === "job_steps" ? limit - 1 : limit, used, what };
    }
    return null;
  }
}

/** A job's meter from `[models.budget]`, with what every job has used today so far (the server's count at the job's start). */
export function jobBudgetMeter(budget: ModelsSettings["budget"], usedToday: DayUsage): BudgetMeter {
  return new BudgetMeter({
    job: { wallSeconds: budget.job_wall_seconds, tokens: budget.job_tokens, costUsd: budget.job_cost_usd, steps: budget.job_steps },
    day: { tokens: budget.day_tokens, costUsd: budget.day_cost_usd },
    usedToday,
  });
}
