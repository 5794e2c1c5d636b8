import { routes } from "../api/routes.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { modelExchangePage, modelUsageOfDay, recordModelExchange } from "../models/model-exchanges.ts";
import { utcDay } from "../models/model-usage.ts";
import type { Store } from "../store/store.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

export interface ModelUsageRoutesDeps {
  store: Store;
  service: JobService;
  commit: GroupCommit;
  /** `[models.budget]` of the running config, when `[models]` names a provider. */
  dayBudget?: { dayTokens: number; dayCostUsd: number } | null;
  now?: () => number;
}

/**
 * Model transcripts and usage (#19): a worker records each exchange of the job it holds (lease-fenced,
 * like its logs and tests); anyone reads a job's transcript and a day's usage.
 */
export function modelUsageRoutes(router: Router, deps: ModelUsageRoutesDeps): void {
  const { service, commit, store } = deps;
  const now = deps.now ?? Date.now;
  router
    .route(routes.recordModelExchange, async ({ params, body }) => {
      const { workerId, token, ...exchange } = body;
      const { recorded } = await commit.run(() => recordModelExchange(service, { jobId: params.id, workerId, token }, exchange));
      return json({ ok: true as const, recorded });
    })
    .route(routes.modelExchanges, ({ params, query }) => json(modelExchangePage(store, params.id, query.after, query.limit)))
    .route(routes.modelUsage, ({ query }) => json({ ...modelUsageOfDay(store, query.day ?? utcDay(now())), budget: deps.dayBudget ?? null }));
}
