import { ClaimBody, RegisterWorkerBody } from "../api/schemas.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { json, readBody } from "./http.ts";
import type { Router } from "./router.ts";

export function workerRoutes(router: Router, service: JobService, commit: GroupCommit, maxBodyBytes: number): void {
  router
    .on("POST", "/workers", async ({ req }) => {
      const body = await readBody(req, RegisterWorkerBody, maxBodyBytes);
      return json({ worker: await commit.run(() => service.registerWorker(body)), leaseMs: service.options.leaseMs });
    })
    .on("GET", "/workers", () => json({ workers: service.store.listWorkers() }))
    .on("POST", "/workers/:id/claim", async ({ req, params }) => {
      const body = await readBody(req, ClaimBody, maxBodyBytes);
      const claim = await claimWithWait(service, commit, params.id!, body.kinds, body.waitMs, req.signal);
      return claim ? json(claim) : new Response(null, { status: 204 });
    });
}

/** Long-poll: try now, then again whenever a job becomes claimable, until the wait is over. */
async function claimWithWait(service: JobService, commit: GroupCommit, workerId: string, kinds: string[], waitMs: number, signal: AbortSignal) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const claim = await commit.run(() => service.claim(workerId, kinds));
    if (claim || Date.now() >= deadline || signal.aborted) return claim;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, deadline - Date.now());
      const off = service.events.subscribe((e) => {
        const data = e.data as { to?: string; state?: string; kind?: string };
        if (data.to === "queued" || data.state === "queued") done();
      });
      signal.addEventListener("abort", done);
    });
  }
}
