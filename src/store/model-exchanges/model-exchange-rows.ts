/**
 * One model exchange of a job's attempt as the store keeps it: a row of `model_exchanges` (#19). The
 * domain (src/models/model-exchanges.ts) redacts and bounds every text before it is stored; `sent`
 * and `action` are its JSON. `(jobId, attempt, step)` is recorded once.
 */
export interface ModelExchangeRow {
  jobId: string;
  attempt: number;
  step: number;
  model: string;
  /** JSON: the messages sent (new since the previous exchange). */
  sent: string;
  reply: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
  /** JSON: what the loop did with the reply. */
  action: string;
  recordedAt: number;
}

/** A stored row with its id (the order exchanges were recorded in; a page's cursor). */
export interface StoredModelExchange extends ModelExchangeRow {
  id: number;
}

/** Sums over a set of exchanges. */
export interface ModelUsageSum {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  exchanges: number;
  /** Distinct jobs among them. */
  jobs: number;
}

/** One UTC day's sums (`day`: days since the epoch). */
export interface ModelUsageDaySum extends ModelUsageSum {
  day: number;
}
