import { ActorBody } from "../api/schemas.ts";
import type { ControlService } from "../control/control-service.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import { json, readBody } from "./http.ts";
import type { Router } from "./router.ts";

/** The stop switch: `pushpals pause` / `resume`. */
export function controlRoutes(router: Router, deps: { control: ControlService; commit: GroupCommit; maxBodyBytes: number }): void {
  const { control, commit, maxBodyBytes } = deps;
  router
    .on("GET", "/control", () => json({ paused: control.state() }))
    .on("POST", "/control/pause", async ({ req }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      return json({ paused: await commit.run(() => control.pause(body.actor, body.reason ?? "paused")) });
    })
    .on("POST", "/control/resume", async ({ req }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      await commit.run(() => control.resume(body.actor, body.reason ?? "resumed"));
      return json({ paused: null });
    });
}
