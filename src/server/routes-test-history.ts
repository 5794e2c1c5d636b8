import { routes } from "../api/routes.ts";
import type { Store } from "../store/store.ts";
import { PRIOR } from "../test-history/flakiness.ts";
import { KEPT_DAYS, KEPT_RUNS_PER_TEST, listFlakyTests } from "../test-history/test-history-service.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

const CACHE_MS = 5_000;

/** `pushpals flaky`: the per-test history's flakiest tests (a read: every listener). */
export function testHistoryRoutes(router: Router, deps: { store: Store }): void {
  // Scoring reads each candidate's kept runs: a caller asking again within a few seconds gets the same answer, not another scan.
  const recent = new Map<string, { at: number; tests: ReturnType<typeof listFlakyTests> }>();
  const flaky = (query: { check?: string; limit: number; all?: string }) => {
    const key = JSON.stringify([query.check ?? null, query.limit, query.all === "1"]);
    const hit = recent.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.tests;
    if (recent.size >= 32) recent.clear();
    const tests = listFlakyTests(deps.store, { check: query.check, limit: query.limit, all: query.all === "1" });
    recent.set(key, { at: Date.now(), tests });
    return tests;
  };
  router.route(routes.flakyTests, ({ query }) =>
    json({
      tests: flaky(query),
      prior: { ...PRIOR },
      keptRunsPerTest: KEPT_RUNS_PER_TEST,
      keptDays: KEPT_DAYS,
    }),
  );
}
