import type { ModelExchangeRow, ModelUsageDaySum, ModelUsageSum, StoredModelExchange } from "./model-exchange-rows.ts";

/**
 * The model transcripts of jobs and the usage they add up to (#19). Growth is bounded by the domain:
 * a cap of exchanges per job attempt (`countModelExchanges` before each insert), texts cut before
 * they are stored, and `pruneModelExchanges` of rows past an age.
 */
export interface ModelExchangeStore {
  /** Records the row once: a job, attempt and step already recorded is left as it is (a retried call). Returns whether it was new. */
  insertModelExchange(row: ModelExchangeRow): boolean;
  /** Whether the job's attempt already has this step recorded. */
  hasModelExchange(jobId: string, attempt: number, step: number): boolean;
  /** How many exchanges the job's attempt has recorded. */
  countModelExchanges(jobId: string, attempt: number): number;
  /** A job's exchanges (every attempt) after the row id `after`, in the order recorded, at most `limit`. */
  modelExchangesOfJob(jobId: string, after: number, limit: number): StoredModelExchange[];
  /** The sums of a job's exchanges, every attempt. */
  modelUsageOfJob(jobId: string): ModelUsageSum;
  /** The sums of the exchanges recorded in `[from, to)` (ms since the epoch). */
  modelUsageBetween(from: number, to: number): ModelUsageSum;
  /** Per UTC day, the sums of the exchanges recorded since `since` (null: all kept), oldest day first. */
  modelUsageByDay(since: number | null): ModelUsageDaySum[];
  /** Deletes up to `limit` exchanges recorded before `before`; returns how many. */
  pruneModelExchanges(before: number, limit: number): number;
}
