import { routes } from "../api/routes.ts";
import { metricsSnapshot } from "../metrics/compute-metrics.ts";
import type { MetricsStore } from "../metrics/metrics-history.ts";
import { windowStart } from "../metrics/metrics-window.ts";
import { prometheusText } from "../metrics/prometheus-text.ts";
import { json, textReply } from "./http.ts";
import type { Router } from "./router.ts";

export interface MetricsRoutesDeps {
  store: MetricsStore;
  now?: () => number;
}

/** The vision's metrics from the stored history: JSON for clients, the Prometheus text format for scrapers (reads: every listener). */
export function metricsRoutes(router: Router, deps: MetricsRoutesDeps): void {
  const now = deps.now ?? Date.now;
  const snapshot = (since: string | undefined) => {
    const at = now();
    return metricsSnapshot(deps.store, at, windowStart(at, since));
  };
  router
    .route(routes.metrics, ({ query }) => json(snapshot(query.since)))
    .route(routes.prometheusMetrics, async ({ query }) => textReply(await prometheusText(snapshot(query.since)), routes.prometheusMetrics.text.contentType));
}
