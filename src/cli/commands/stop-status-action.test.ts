import { expect, test } from "bun:test";
import { modelsLine } from "./stop-status-action.ts";

const today = (tokens: number, costUsd: number) => ({ day: "2026-12-03", from: 0, to: 86_400_000, inputTokens: tokens, outputTokens: 0, tokens, costUsd, exchanges: 3, jobs: 1 });

test("status: today's model usage against the day budget, or the usage alone with no model configured", () => {
  expect(modelsLine({ today: today(12_345, 0.042), budget: { dayTokens: 3_000_000, dayCostUsd: 20 } })).toBe("models: today (UTC) 12,345 tokens of 3,000,000, $0.0420 of $20.00 (3 model exchanges, 1 job)");
  expect(modelsLine({ today: today(3_000_000, 1), budget: { dayTokens: 3_000_000, dayCostUsd: 20 } })).toEndWith("day budget reached: raise models.budget.day_tokens or day_cost_usd");
  expect(modelsLine({ today: today(0, 0), budget: { dayTokens: 3_000_000, dayCostUsd: 0 } })).not.toContain("reached");
  expect(modelsLine({ today: today(10, 0), budget: null })).toBe("models: today (UTC) 10 tokens, $0.00 (3 model exchanges, 1 job)");
});
