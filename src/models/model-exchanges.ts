import { PushpalsError } from "../core/errors.ts";
import type { JobService, LeaseRef } from "../jobs/job-service.ts";
import type { ModelUsageSum, StoredModelExchange } from "../store/model-exchanges/model-exchange-rows.ts";
import type { ModelExchangeStore } from "../store/model-exchanges/model-exchange-store.ts";
import type { Store } from "../store/store.ts";
import { boundExchange } from "./bound-exchange.ts";
import type { ModelExchange, ModelMessage } from "./model-types.ts";
import { dayRange, type ModelExchangePage, type ModelExchangeRecord, type ModelUsageDay, type ModelUsageTotals } from "./model-usage.ts";

/** A job attempt records at most this many exchanges; the next is refused. */
export const MAX_EXCHANGES_PER_ATTEMPT = 1000;
/** Exchanges older than this are dropped (and with them their usage from the per-day sums). */
export const KEPT_DAYS = 90;
const DAY_MS = 86_400_000;
/** Old exchanges deleted per recording at most (a long-idle database catches up over a few). */
const PRUNE_BATCH = 1_000;
/** A transcript page: at most this many exchanges (each up to about twice bound-exchange.ts's STORED_TEXT_CHARS). */
export const MAX_PAGE = 50;

/**
 * Records one exchange of the job the worker holds (fenced: a stale lease is `lease_lost` and records
 * nothing), redacted and bounded, under the job's current attempt. A step already recorded (a retried
 * call) is left as it is; past MAX_EXCHANGES_PER_ATTEMPT the exchange is refused. Exchanges older than
 * KEPT_DAYS are pruned on the way.
 */
export function recordModelExchange(jobs: JobService, ref: LeaseRef, exchange: ModelExchange): { recorded: boolean } {
  return jobs.recordUnderLease(ref, (ctx, job) => {
    const store = ctx.store;
    if (store.hasModelExchange(job.id, job.attempt, exchange.step)) return { recorded: false };
    if (store.countModelExchanges(job.id, job.attempt) >= MAX_EXCHANGES_PER_ATTEMPT) {
      throw new PushpalsError("invalid_input", `job ${job.id} already recorded ${MAX_EXCHANGES_PER_ATTEMPT} model exchanges in attempt ${job.attempt}: no more are kept`, {
        hint: `keep models.budget.job_steps at ${MAX_EXCHANGES_PER_ATTEMPT} or less`,
      });
    }
    const b = boundExchange(exchange);
    const recorded = store.insertModelExchange({
      jobId: job.id,
      attempt: job.attempt,
      step: b.step,
      model: b.model,
      sent: JSON.stringify(b.sent),
      reply: b.reply,
      inputTokens: b.usage.inputTokens,
      outputTokens: b.usage.outputTokens,
      costUsd: b.costUsd,
      durationMs: b.durationMs,
      action: JSON.stringify(b.action),
      recordedAt: ctx.now,
    });
    store.pruneModelExchanges(ctx.now - KEPT_DAYS * DAY_MS, PRUNE_BATCH);
    return { recorded };
  });
}

export function usageTotals(sum: ModelUsageSum): ModelUsageTotals {
  return { inputTokens: sum.inputTokens, outputTokens: sum.outputTokens, tokens: sum.inputTokens + sum.outputTokens, costUsd: sum.costUsd, exchanges: sum.exchanges };
}

function toRecord(row: StoredModelExchange): ModelExchangeRecord {
  return {
    id: row.id,
    attempt: row.attempt,
    step: row.step,
    model: row.model,
    // Written by recordModelExchange from validated values.
    sent: JSON.parse(row.sent) as ModelMessage[],
    reply: row.reply,
    usage: { inputTokens: row.inputTokens, outputTokens: row.outputTokens },
    costUsd: row.costUsd,
    durationMs: row.durationMs,
    action: JSON.parse(row.action) as ModelExchange["action"],
    recordedAt: row.recordedAt,
  };
}

/** A page of a job's transcript (after the exchange id `after`; `limit` 0: only the sums) and the job's whole usage. */
export function modelExchangePage(store: Pick<Store, "getJob"> & ModelExchangeStore, jobId: string, after: number, limit: number): ModelExchangePage {
  if (!store.getJob(jobId)) throw new PushpalsError("not_found", `job ${jobId} does not exist`, { hint: "list jobs with `pushpals jobs`" });
  const rows = limit === 0 ? [] : store.modelExchangesOfJob(jobId, after, Math.min(limit, MAX_PAGE));
  const next = rows.length > 0 && rows.length === Math.min(limit, MAX_PAGE) ? rows.at(-1)!.id : null;
  return { jobId, exchanges: rows.map(toRecord), next, usage: usageTotals(store.modelUsageOfJob(jobId)) };
}

/** One UTC day's usage, every job's. */
export function modelUsageOfDay(store: Pick<ModelExchangeStore, "modelUsageBetween">, day: string): ModelUsageDay {
  const { from, to } = dayRange(day);
  const sum = store.modelUsageBetween(from, to);
  return { day, from, to, ...usageTotals(sum), jobs: sum.jobs };
}
