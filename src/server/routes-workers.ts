import { routes } from "../api/routes.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import type { ConnectionLimits } from "./connection-limits.ts";
import { json, noContent } from "./http.ts";
import type { Router } from "./router.ts";

export interface WorkerRoutesDeps {
  service: JobService;
  commit: GroupCommit;
  limits: ConnectionLimits;
}

export function workerRoutes(router: Router, deps: WorkerRoutesDeps): void {
  const { service, commit, limits } = deps;
  router
    .route(routes.registerWorker, async ({ body }) => json({ worker: await commit.run(() => service.registerWorker(body)), leaseMs: service.options.leaseMs }))
    .route(routes.listWorkers, () => json({ workers: service.store.listWorkers() }))
    .route(routes.claimJob, async ({ req, params, body }) => {
      if (body.waitMs === 0) {
        const claim = await claimWithWait(service, commit, params.id, body.kinds, 0, req.signal);
        return claim ? json(claim) : noContent();
      }
      // A waiting claim holds its connection up to 30 s: it takes a slot, keyed by the worker it claims for.
      const hold = limits.hold(req, "claim_wait", params.id, body.waitMs / 1000 + limits.options.requestTimeoutSeconds);
      try {
        const claim = await claimWithWait(service, commit, params.id, body.kinds, body.waitMs, req.signal);
        return claim ? json(claim) : noContent();
      } finally {
        hold.release();
        limits.restore(req);
      }
    });
}

/**
 * Long-poll: claim now, else wait until a job becomes claimable or the wait is over. The listener is
 * attached before each claim, so a job queued in the same group commit as the claim still wakes us.
 */
async function claimWithWait(service: JobService, commit: GroupCommit, workerId: string, kinds: string[], waitMs: number, signal: AbortSignal) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (signal.aborted) return null;
    let wake: (() => void) | null = null;
    let woken = false;
    const off = service.events.subscribe((e) => {
      const data = e.data as { to?: string; state?: string };
      if (data.to !== "queued" && data.state !== "queued" && e.type !== "control.resumed") return;
      woken = true;
      wake?.();
    });
    try {
      const claim = await commit.run(() => service.claim(workerId, kinds));
      if (claim && signal.aborted) {
        // The worker hung up while we claimed: give the job straight back rather than strand it.
        await commit.run(() => service.release({ jobId: claim.job.id, workerId, token: claim.token }, "claim request was aborted"));
        return null;
      }
      if (claim || Date.now() >= deadline) return claim;
      if (!woken) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, deadline - Date.now());
          function done() {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
          }
          wake = done;
          signal.addEventListener("abort", done);
        });
      }
    } finally {
      off();
    }
  }
}
