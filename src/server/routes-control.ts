import { routes } from "../api/routes.ts";
import type { ControlService } from "../control/control-service.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

/** The stop switch: `pushpals pause` / `resume`. */
export function controlRoutes(router: Router, deps: { control: ControlService; commit: GroupCommit }): void {
  const { control, commit } = deps;
  router
    .route(routes.getControl, () => json({ paused: control.state() }))
    .route(routes.pause, async ({ body, caller }) => json({ paused: await commit.run(() => control.pause(personActorOf(caller), body.reason ?? "paused")) }))
    .route(routes.resume, async ({ body, caller }) => {
      await commit.run(() => control.resume(personActorOf(caller), body.reason ?? "resumed"));
      return json({ paused: null });
    });
}
