import { routes } from "../api/routes.ts";
import type { Store } from "../store/store.ts";
import { PRIOR } from "../test-history/flakiness.ts";
import { KEPT_DAYS, KEPT_RUNS_PER_TEST, listFlakyTests } from "../test-history/test-history-service.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

/** `pushpals flaky`: the per-test history's flakiest tests (a read: every listener). */
export function testHistoryRoutes(router: Router, deps: { store: Store }): void {
  router.route(routes.flakyTests, ({ query }) =>
    json({
      tests: listFlakyTests(deps.store, { check: query.check, limit: query.limit, all: query.all === "1" }),
      prior: { ...PRIOR },
      keptRunsPerTest: KEPT_RUNS_PER_TEST,
      keptDays: KEPT_DAYS,
    }),
  );
}
