import { afterEach, beforeEach, expect, test } from "bun:test";
import { SqliteStore } from "../store/sqlite-store.ts";
import type { ModelExchangeRow } from "../store/model-exchanges/model-exchange-rows.ts";
import { metricsSnapshot } from "./compute-metrics.ts";
import { MetricsSnapshot } from "./metrics-snapshot.ts";
import { prometheusText } from "./prometheus-text.ts";

const DAY = 86_400_000;
const D0 = 20_400 * DAY;

let store: SqliteStore;

beforeEach(() => {
  store = new SqliteStore(":memory:");
});

afterEach(() => store.close());

function row(jobId: string, step: number, at: number, inputTokens: number, outputTokens: number, costUsd: number): ModelExchangeRow {
  return { jobId, attempt: 1, step, model: "m/x", sent: "[]", reply: "", inputTokens, outputTokens, costUsd, durationMs: 1, action: "{}", recordedAt: at };
}

test("model tokens and cost per UTC day, over the exchanges recorded in the window; the Prometheus series per day", async () => {
  store.insertModelExchange(row("job_a", 1, D0 + 1_000, 1_000, 100, 0.01));
  store.insertModelExchange(row("job_a", 2, D0 + DAY - 1, 2_000, 200, 0.02));
  store.insertModelExchange(row("job_b", 1, D0 + DAY, 500, 50, 0.005));
  store.insertModelExchange(row("job_c", 1, D0 + 2 * DAY + 5, 10, 1, 0));

  const all = metricsSnapshot(store, D0 + 3 * DAY, null);
  expect(MetricsSnapshot.parse(all)).toEqual(all);
  expect(all.models.days).toEqual([
    { day: "2025-11-08", inputTokens: 3_000, outputTokens: 300, tokens: 3_300, costUsd: expect.closeTo(0.03, 9), exchanges: 2, jobs: 1 },
    { day: "2025-11-09", inputTokens: 500, outputTokens: 50, tokens: 550, costUsd: 0.005, exchanges: 1, jobs: 1 },
    { day: "2025-11-10", inputTokens: 10, outputTokens: 1, tokens: 11, costUsd: 0, exchanges: 1, jobs: 1 },
  ]);
  // A window from the second day on.
  expect(metricsSnapshot(store, D0 + 3 * DAY, D0 + DAY).models.days.map((d) => d.day)).toEqual(["2025-11-09", "2025-11-10"]);

  const samples = (await prometheusText(all)).split("\n").filter((l) => l.startsWith("pushpals_model_"));
  expect(samples).toEqual([
    'pushpals_model_tokens{day="2025-11-08"} 3300',
    'pushpals_model_tokens{day="2025-11-09"} 550',
    'pushpals_model_tokens{day="2025-11-10"} 11',
    `pushpals_model_cost_usd{day="2025-11-08"} ${0.01 + 0.02}`,
    'pushpals_model_cost_usd{day="2025-11-09"} 0.005',
    'pushpals_model_cost_usd{day="2025-11-10"} 0',
    'pushpals_model_exchanges{day="2025-11-08"} 2',
    'pushpals_model_exchanges{day="2025-11-09"} 1',
    'pushpals_model_exchanges{day="2025-11-10"} 1',
  ]);
  const empty = new SqliteStore(":memory:");
  try {
    const text = await prometheusText(metricsSnapshot(empty, D0, null));
    expect(text).toContain("# TYPE pushpals_model_tokens gauge");
    expect(text).not.toContain("pushpals_model_tokens{");
  } finally {
    empty.close();
  }
});
