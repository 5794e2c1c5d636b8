import { z } from "zod";
import { ModelExchange } from "./model-types.ts";

/**
 * What the API says of model usage (#19): a job's transcript page with its sums (`GET
 * /jobs/:id/model-exchanges`) and a UTC day's sums (`GET /model-usage?day=`). Tokens are input plus
 * output; costs in US dollars as the worker priced them (`costOf`).
 */

const Count = z.number().int().min(0);

export const ModelUsageTotals = z.object({
  inputTokens: Count,
  outputTokens: Count,
  tokens: Count,
  costUsd: z.number().min(0),
  exchanges: Count,
});
export type ModelUsageTotals = z.infer<typeof ModelUsageTotals>;

/** A stored exchange: redacted, its texts cut to the stored bound (a cut says how much was left out). */
export const ModelExchangeRecord = ModelExchange.extend({
  id: z.number().int(),
  attempt: z.number().int().min(1),
  recordedAt: z.number().int(),
});
export type ModelExchangeRecord = z.infer<typeof ModelExchangeRecord>;

export const ModelExchangePage = z.object({
  jobId: z.string(),
  /** In the order recorded, every attempt's. */
  exchanges: z.array(ModelExchangeRecord),
  /** The id to ask `after` for the next page; null when this page is the last. */
  next: z.number().int().nullable(),
  /** The job's whole usage, every attempt (whatever the page). */
  usage: ModelUsageTotals,
});
export type ModelExchangePage = z.infer<typeof ModelExchangePage>;

const DAY_MS = 86_400_000;

/** A UTC calendar day, `YYYY-MM-DD`. */
export const UtcDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD")
  .refine((day) => {
    const t = Date.parse(`${day}T00:00:00Z`);
    return !Number.isNaN(t) && new Date(t).toISOString().startsWith(day);
  }, "must be a day of the calendar");
export type UtcDay = z.infer<typeof UtcDay>;

export const ModelUsageDay = ModelUsageTotals.extend({
  day: UtcDay,
  /** The day's start and end, ms since the epoch: `[from, to)`. */
  from: z.number().int(),
  to: z.number().int(),
  /** Jobs with an exchange that day. */
  jobs: Count,
});
export type ModelUsageDay = z.infer<typeof ModelUsageDay>;

/** A day's usage, with the day's budget the running server's config names (null: no model provider configured). */
export const ModelUsageReply = ModelUsageDay.extend({
  budget: z.object({ dayTokens: z.number().int().nonnegative(), dayCostUsd: z.number().nonnegative() }).nullable(),
});
export type ModelUsageReply = z.infer<typeof ModelUsageReply>;

/** The UTC day a time falls on. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A day's `[from, to)` in ms. */
export function dayRange(day: string): { from: number; to: number } {
  const from = Date.parse(`${day}T00:00:00Z`);
  return { from, to: from + DAY_MS };
}

/** A day as the store counts it (days since the epoch) as `YYYY-MM-DD`. */
export function dayOfEpochDay(epochDay: number): string {
  return utcDay(epochDay * DAY_MS);
}
