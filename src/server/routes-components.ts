import { ComponentReadyBody, ComponentReportBody, ComponentResetBody, EmptyBody, WorkerLostBody } from "../api/schemas.ts";
import type { ComponentService } from "../components/component-service.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { json, readBody } from "./http.ts";
import type { Router } from "./router.ts";

export interface ComponentRoutesDeps {
  components: ComponentService;
  service: JobService;
  commit: GroupCommit;
  maxBodyBytes: number;
}

/** The readiness handshake and the supervisor's reports. */
export function componentRoutes(router: Router, deps: ComponentRoutesDeps): void {
  const { components, service, commit, maxBodyBytes } = deps;
  router
    .on("GET", "/components", () => json({ components: components.list() }))
    .on("POST", "/components/reset", async ({ req }) => {
      const body = await readBody(req, ComponentResetBody, maxBodyBytes);
      return json({ removed: components.reset(body.actor, body.keep) });
    })
    .on("POST", "/components/:name/ready", async ({ req, params }) => {
      const body = await readBody(req, ComponentReadyBody, maxBodyBytes);
      return json({ component: components.ready(params.name!, body.role, body.pid, body.workerId ?? null) });
    })
    .on("POST", "/components/:name/heartbeat", async ({ req, params }) => {
      await readBody(req, EmptyBody, maxBodyBytes);
      components.heartbeat(params.name!);
      return json({ ok: true });
    })
    .on("POST", "/components/:name/report", async ({ req, params }) => {
      const { actor, ...report } = await readBody(req, ComponentReportBody, maxBodyBytes);
      return json({ component: components.report(params.name!, report, actor) });
    })
    .on("POST", "/workers/:id/lost", async ({ req, params }) => {
      const body = await readBody(req, WorkerLostBody, maxBodyBytes);
      const requeued = await commit.run(() => service.workerLost(params.id!, body.reason));
      return json({ jobs: requeued });
    });
}
