import type { SqliteConnection } from "../sqlite-connection.ts";
import type { Row } from "../sqlite-rows.ts";
import type { ModelExchangeRow, ModelUsageDaySum, ModelUsageSum, StoredModelExchange } from "./model-exchange-rows.ts";
import type { ModelExchangeStore } from "./model-exchange-store.ts";

const COLUMNS = "job_id, attempt, step, model, sent, reply, input_tokens, output_tokens, cost_usd, duration_ms, action, recorded_at";
const SUMS = "coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(cost_usd), 0) AS cost_usd, count(*) AS exchanges, count(DISTINCT job_id) AS jobs";
const DAY_MS = 86_400_000;

function toRow(r: Row): StoredModelExchange {
  return {
    id: r.id as number,
    jobId: r.job_id as string,
    attempt: r.attempt as number,
    step: r.step as number,
    model: r.model as string,
    sent: r.sent as string,
    reply: r.reply as string,
    inputTokens: r.input_tokens as number,
    outputTokens: r.output_tokens as number,
    costUsd: r.cost_usd as number,
    durationMs: r.duration_ms as number,
    action: r.action as string,
    recordedAt: r.recorded_at as number,
  };
}

function toSum(r: Row): ModelUsageSum {
  return {
    inputTokens: r.input_tokens as number,
    outputTokens: r.output_tokens as number,
    costUsd: r.cost_usd as number,
    exchanges: r.exchanges as number,
    jobs: r.jobs as number,
  };
}

export function sqliteModelExchangeStore(sqlite: SqliteConnection): ModelExchangeStore {
  return {
    insertModelExchange(r: ModelExchangeRow): boolean {
      const { changes } = sqlite
        .q(`INSERT OR IGNORE INTO model_exchanges (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(r.jobId, r.attempt, r.step, r.model, r.sent, r.reply, r.inputTokens, r.outputTokens, r.costUsd, r.durationMs, r.action, r.recordedAt);
      return changes > 0;
    },

    hasModelExchange(jobId: string, attempt: number, step: number): boolean {
      return sqlite.q("SELECT 1 FROM model_exchanges WHERE job_id = ? AND attempt = ? AND step = ?").get(jobId, attempt, step) !== null;
    },

    countModelExchanges(jobId: string, attempt: number): number {
      return (sqlite.q("SELECT count(*) AS n FROM model_exchanges WHERE job_id = ? AND attempt = ?").get(jobId, attempt) as { n: number }).n;
    },

    modelExchangesOfJob(jobId: string, after: number, limit: number): StoredModelExchange[] {
      const rows = sqlite.q(`SELECT id, ${COLUMNS} FROM model_exchanges WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?`).all(jobId, after, limit) as Row[];
      return rows.map(toRow);
    },

    modelUsageOfJob(jobId: string): ModelUsageSum {
      return toSum(sqlite.q(`SELECT ${SUMS} FROM model_exchanges WHERE job_id = ?`).get(jobId) as Row);
    },

    modelUsageBetween(from: number, to: number): ModelUsageSum {
      return toSum(sqlite.q(`SELECT ${SUMS} FROM model_exchanges WHERE recorded_at >= ? AND recorded_at < ?`).get(from, to) as Row);
    },

    modelUsageByDay(since: number | null): ModelUsageDaySum[] {
      const rows = sqlite
        .q(`SELECT recorded_at / ${DAY_MS} AS day, ${SUMS} FROM model_exchanges WHERE recorded_at >= ? GROUP BY day ORDER BY day`)
        .all(since ?? Number.MIN_SAFE_INTEGER) as Row[];
      return rows.map((r) => ({ day: r.day as number, ...toSum(r) }));
    },

    pruneModelExchanges(before: number, limit: number): number {
      return sqlite.q("DELETE FROM model_exchanges WHERE id IN (SELECT id FROM model_exchanges WHERE recorded_at < ? LIMIT ?)").run(before, limit).changes;
    },
  };
}
