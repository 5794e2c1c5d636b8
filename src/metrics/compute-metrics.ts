import { conflictResolutions } from "./conflict-metrics.ts";
import { RETRY_STORM_ATTEMPTS, REWORK_HEADS, STUCK_BLOCKED_MS } from "./definitions.ts";
import { jobSuccess } from "./job-metrics.ts";
import { modelUsagePerDay } from "./model-metrics.ts";
import { readHistory, type MetricsHistory, type MetricsStore } from "./metrics-history.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";
import { approvedToMerged, autonomousMerges, rework } from "./pr-metrics.ts";
import { queueHealth } from "./queue-metrics.ts";
import { installToFirstPr, timeToOnline } from "./runtime-metrics.ts";

/** Every metric of definitions.ts over a read of the history; `now` is the only clock. */
export function computeMetrics(history: MetricsHistory, now: number): MetricsSnapshot {
  return {
    generatedAt: now,
    since: history.since,
    install: installToFirstPr(history.firstServerStart, history.firstPrOpened),
    online: timeToOnline(history.onlineRuns),
    merges: autonomousMerges(history.prs, history.prJobs),
    rework: rework(history.prs),
    approvals: approvedToMerged(history.approvedPrs),
    jobs: jobSuccess(history.jobs),
    queue: queueHealth(history.jobs, now),
    conflicts: conflictResolutions(history.jobs),
    models: modelUsagePerDay(history.modelDays),
    thresholds: { stuckBlockedSeconds: STUCK_BLOCKED_MS / 1000, retryStormAttempts: RETRY_STORM_ATTEMPTS, reworkHeads: REWORK_HEADS },
  };
}

/** The metrics of the window starting at `since` (null: all history), read from the store at `now`. */
export function metricsSnapshot(store: MetricsStore, now: number, since: number | null): MetricsSnapshot {
  return computeMetrics(readHistory(store, since), now);
}
