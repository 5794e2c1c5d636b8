import { dayOfEpochDay } from "../models/model-usage.ts";
import type { ModelUsageDaySum } from "../store/model-exchanges/model-exchange-rows.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";

/** Model tokens and cost per UTC day (definitions.ts, `modelUsage`), from the store's per-day sums. */
export function modelUsagePerDay(days: readonly ModelUsageDaySum[]): MetricsSnapshot["models"] {
  return {
    days: days.map((d) => ({
      day: dayOfEpochDay(d.day),
      inputTokens: d.inputTokens,
      outputTokens: d.outputTokens,
      tokens: d.inputTokens + d.outputTokens,
      costUsd: d.costUsd,
      exchanges: d.exchanges,
      jobs: d.jobs,
    })),
  };
}
