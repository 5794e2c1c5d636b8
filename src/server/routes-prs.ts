import { ActorBody, PrsQuery } from "../api/schemas.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { PrService } from "../prs/pr-service.ts";
import { json, queryObject, readBody, validate } from "./http.ts";
import type { Router } from "./router.ts";

export interface PrRoutesDeps {
  prs: PrService;
  commit: GroupCommit;
  maxBodyBytes: number;
}

/** Pull requests of the local provider. Opening and merging happen through `run` and `merge` jobs. */
export function prRoutes(router: Router, deps: PrRoutesDeps): void {
  const { prs, commit, maxBodyBytes } = deps;
  router
    .on("GET", "/prs", ({ url }) => {
      const q = validate(PrsQuery, queryObject(url), "query");
      return json({ prs: prs.list({ state: q.state, limit: q.limit }) });
    })
    .on("GET", "/prs/:number", ({ params }) => json({ pr: prs.get(Number(params.number)) }))
    .on("POST", "/prs/:number/close", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      const pr = await commit.run(() => prs.close(Number(params.number), body.actor, body.reason ?? "closed"));
      return json({ pr });
    });
}
