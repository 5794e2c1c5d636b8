import { routes } from "../api/routes.ts";
import type { ControlService } from "../control/control-service.ts";
import { PushpalsError } from "../core/errors.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { addBacklogItem, answerWorkItem, BacklogEntry, dropWorkItem } from "../planning/backlog.ts";
import { planWork } from "../planning/plan.ts";
import { ACTIVE_WORK_ITEM_STATES } from "../planning/work-item.ts";
import { workItems } from "../planning/work-items.ts";
import { describeIssue } from "../kinds/registry.ts";
import type { Store } from "../store/store.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

const LIMIT = 5_000;

/** `pushpals plan`, `backlog add|list|drop`, `answer`: the work items and their ranking. */
export function planningRoutes(router: Router, deps: { store: Store; service: JobService; control: ControlService; commit: GroupCommit }): void {
  const { store, service, control, commit } = deps;
  const items = workItems(store);
  router
    .route(routes.plan, () => json(planWork(items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: LIMIT }), { now: Date.now(), pause: control.state() })))
    .route(routes.listWorkItems, ({ query }) => json({ items: items.listWorkItems({ states: query.all === "1" ? undefined : ACTIVE_WORK_ITEM_STATES, limit: LIMIT }) }))
    .route(routes.addBacklog, async ({ body, caller }) => {
      const parsed = BacklogEntry.safeParse(body.entry);
      if (!parsed.success) {
        const { field, message } = describeIssue("entry", parsed.error);
        throw new PushpalsError("invalid_input", message, { field });
      }
      const item = await commit.run(() => service.record((ctx) => addBacklogItem(ctx, personActorOf(caller), parsed.data)));
      return json({ item }, 201);
    })
    .route(routes.dropWorkItem, async ({ params, body, caller }) => {
      const actor = personActorOf(caller);
      return json({ item: await commit.run(() => service.record((ctx) => dropWorkItem(ctx, actor, params.id, body.reason ?? `dropped by ${actor}`))) });
    })
    .route(routes.answerWorkItem, async ({ params, body, caller }) => {
      return json({ item: await commit.run(() => service.record((ctx) => answerWorkItem(ctx, personActorOf(caller), params.id, body.answer))) });
    });
}
