import { routes } from "../api/routes.ts";
import { PushpalsError } from "../core/errors.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { requestRevert, revertBase } from "../kinds/revert/request-revert.ts";
import type { PrService } from "../prs/pr-service.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

export interface RevertRoutesDeps {
  service: JobService;
  prs: PrService;
  commit: GroupCommit;
  repoRoot: string | null;
}

/** `pushpals revert <n>`: the server builds the revert job from the PR record and the base branch as it is now. */
export function revertRoutes(router: Router, deps: RevertRoutesDeps): void {
  router.route(routes.revertPr, async ({ params, caller }) => {
    if (!deps.repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
    const base = await revertBase(deps.repoRoot, deps.prs.get(params.number));
    const { job, deduped } = await deps.commit.run(() => requestRevert(deps.service, personActorOf(caller), params.number, base));
    return json({ job, deduped }, deduped ? 200 : 201);
  });
}
