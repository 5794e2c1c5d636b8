import { routes } from "../api/routes.ts";
import type { ComponentService } from "../components/component-service.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { actorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

export interface ComponentRoutesDeps {
  components: ComponentService;
  service: JobService;
  commit: GroupCommit;
}

/** The readiness handshake and the supervisor's reports. */
export function componentRoutes(router: Router, deps: ComponentRoutesDeps): void {
  const { components, service, commit } = deps;
  router
    .route(routes.listComponents, () => json({ components: components.list() }))
    .route(routes.resetComponents, ({ body, caller }) => json({ removed: components.reset(actorOf(caller), body.keep) }))
    .route(routes.componentReady, ({ params, body }) => json({ component: components.ready(params.name, body.role, body.pid, body.workerId ?? null) }))
    .route(routes.componentHeartbeat, ({ params }) => {
      components.heartbeat(params.name);
      return json({ ok: true as const });
    })
    .route(routes.componentReport, ({ params, body, caller }) => json({ component: components.report(params.name, body, actorOf(caller)) }))
    .route(routes.supervisorOnline, ({ body, caller }) => {
      components.online(actorOf(caller), body);
      return json({ ok: true as const });
    })
    .route(routes.workerLost, async ({ params, body }) => {
      const requeued = await commit.run(() => service.workerLost(params.id, body.reason));
      return json({ jobs: requeued });
    });
}
