import { z } from "zod";
import { CONFLICT_STRATEGIES } from "./definitions.ts";

/**
 * The metrics of one read of the history (`pushpals metrics --json`, `GET /metrics/snapshot`); what
 * each number means is in definitions.ts. A rate is null when its denominator is 0, a duration when
 * nothing was recorded to measure it. Times are ms since the epoch, durations seconds.
 */

const Count = z.number().int().min(0);
const Ratio = z.number().min(0).max(1).nullable();
const Seconds = z.number().min(0).nullable();

export const JobSuccess = z.object({
  finished: Count,
  succeeded: Count,
  /** Succeeded with no intervention (one attempt, no cancel request, no person's state change). */
  clean: Count,
  /** clean / finished. */
  rate: Ratio,
});
export type JobSuccess = z.infer<typeof JobSuccess>;

export const KindSuccess = JobSuccess.extend({ kind: z.string() });
export type KindSuccess = z.infer<typeof KindSuccess>;

/** One UTC day's model usage (definitions.ts, `modelUsage`). */
export const ModelUsagePerDay = z.object({
  /** `YYYY-MM-DD`. */
  day: z.string(),
  inputTokens: Count,
  outputTokens: Count,
  tokens: Count,
  costUsd: z.number().min(0),
  exchanges: Count,
  jobs: Count,
});
export type ModelUsagePerDay = z.infer<typeof ModelUsagePerDay>;

export const MetricsSnapshot = z.object({
  generatedAt: z.number().int(),
  /** The window's start; null: all history. */
  since: z.number().int().nullable(),
  install: z.object({
    /** The first `server.started` audit entry. */
    installedAt: z.number().int().nullable(),
    /** The first `pr.opened` audit entry. */
    firstPrOpenedAt: z.number().int().nullable(),
    secondsToFirstPr: Seconds,
  }),
  online: z.object({
    /** `supervisor.online` entries of runs started in the window. */
    runs: Count,
    lastOnlineAt: z.number().int().nullable(),
    lastSeconds: Seconds,
    medianSeconds: Seconds,
  }),
  merges: z.object({ merged: Count, autonomous: Count, rate: Ratio }),
  rework: z.object({ prs: Count, reworked: Count, rate: Ratio }),
  approvals: z.object({
    /** PRs with at least one person's approval given in the window (whenever they opened). */
    approved: Count,
    /** Of them, the ones that merged. */
    merged: Count,
    /** merged / approved. */
    rate: Ratio,
  }),
  jobs: z.object({ all: JobSuccess, byKind: z.array(KindSuccess) }),
  queue: z.object({
    /** Jobs created in the window: the denominator of the stuck and retry-storm rates. */
    jobs: Count,
    /** Of them, the ones that started (the queue wait's sample). */
    started: Count,
    medianWaitSeconds: Seconds,
    stuck: Count,
    stuckRate: Ratio,
    retryStorms: Count,
    retryStormRate: Ratio,
  }),
  conflicts: z.object({
    /** `resolve-conflict` jobs created in the window that succeeded with a new head for their PR. */
    resolved: Count,
    /** The files those jobs resolved, per strategy (every strategy named, 0 when none). */
    byStrategy: z.record(z.enum(CONFLICT_STRATEGIES), Count),
    /** `resolve-conflict` jobs created in the window that succeeded with a file no strategy resolves: a person's turn. */
    manualInterventions: Count,
    /** resolved / (resolved + manualInterventions). */
    rate: Ratio,
  }),
  models: z.object({
    /** Each UTC day with a model exchange recorded in the window, oldest first. */
    days: z.array(ModelUsagePerDay),
  }),
  thresholds: z.object({ stuckBlockedSeconds: Count, retryStormAttempts: Count, reworkHeads: Count }),
});
export type MetricsSnapshot = z.infer<typeof MetricsSnapshot>;

/** What `GET /metrics` answers: the Prometheus text exposition format, version 0.0.4 (prom-client's `prometheusContentType`). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
