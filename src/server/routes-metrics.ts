import { routes } from "../api/routes.ts";
import { metricsSnapshot } from "../metrics/compute-metrics.ts";
import type { MetricsStore } from "../metrics/metrics-history.ts";
import type { MetricsSnapshot } from "../metrics/metrics-snapshot.ts";
import { windowStart } from "../metrics/metrics-window.ts";
import { prometheusText } from "../metrics/prometheus-text.ts";
import type { Store } from "../store/store.ts";
import { json, textReply } from "./http.ts";
import type { Router } from "./router.ts";

/** A snapshot is reused while nothing was recorded since and it is younger than this. */
const REUSE_MS = 5_000;
const KEPT_WINDOWS = 16;

export interface MetricsRoutesDeps {
  store: MetricsStore & Pick<Store, "lastEventSeq" | "auditHead">;
  now?: () => number;
}

/**
 * The vision's metrics from the stored history: JSON for clients, the Prometheus text format for
 * scrapers (reads: every listener). Computing them reads the whole window's history, so a scrape
 * that finds no new event or audit entry since the last one (and a snapshot under 5 s old) gets it.
 */
export function metricsRoutes(router: Router, deps: MetricsRoutesDeps): void {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { seq: string; at: number; snapshot: MetricsSnapshot }>();
  const snapshot = (since: string | undefined): MetricsSnapshot => {
    const at = now();
    // Every write appends an event or an audit entry (the supervisor's time to online is audit only).
    const seq = `${deps.store.lastEventSeq()}:${deps.store.auditHead()?.seq ?? 0}`;
    const key = since ?? "";
    const kept = cache.get(key);
    if (kept && kept.seq === seq && at - kept.at < REUSE_MS) return kept.snapshot;
    const fresh = metricsSnapshot(deps.store, at, windowStart(at, since));
    if (!kept && cache.size >= KEPT_WINDOWS) cache.delete(cache.keys().next().value!);
    cache.set(key, { seq, at, snapshot: fresh });
    return fresh;
  };
  router
    .route(routes.metrics, ({ query }) => json(snapshot(query.since)))
    .route(routes.prometheusMetrics, async ({ query }) => textReply(await prometheusText(snapshot(query.since)), routes.prometheusMetrics.text.contentType));
}
