import { ActorBody, GateQuery, PrsQuery } from "../api/schemas.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { PrService } from "../prs/pr-service.ts";
import { PushpalsError } from "../core/errors.ts";
import { loadPolicyAt } from "../policy/load-policy-at.ts";
import { mergeGate } from "../prs/merge-gate.ts";
import { json, queryObject, readBody, validate } from "./http.ts";
import type { Router } from "./router.ts";

export interface PrRoutesDeps {
  prs: PrService;
  commit: GroupCommit;
  maxBodyBytes: number;
  /** The repository, to read the policy committed at a PR's base. */
  repoRoot: string | null;
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
    .on("GET", "/prs/:number/gate", async ({ params, url }) => {
      const q = validate(GateQuery, queryObject(url), "query");
      const pr = prs.get(Number(params.number));
      if (!deps.repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
      const { policy, hash, source } = await loadPolicyAt(deps.repoRoot, pr.baseSha);
      const rfc = pr.rfc ? prs.find(pr.rfc) : null;
      const gate = mergeGate(pr, policy, hash, { rfcApproved: rfc?.state === "merged" && rfc.rfcFor !== null, expected: q });
      return json({ ...gate, policy: { source, hash } });
    })
    .on("POST", "/prs/:number/approve", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      return json({ pr: await commit.run(() => prs.decide(Number(params.number), body.actor, "approve", body.reason ?? null)) });
    })
    .on("POST", "/prs/:number/reject", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      if (!body.reason) throw new PushpalsError("invalid_input", "reason: a rejection needs a reason", { field: "reason", hint: 'pushpals reject <n> --why "..."' });
      return json({ pr: await commit.run(() => prs.decide(Number(params.number), body.actor, "reject", body.reason ?? null)) });
    })
    .on("POST", "/prs/:number/close", async ({ req, params }) => {
      const body = await readBody(req, ActorBody, maxBodyBytes);
      const pr = await commit.run(() => prs.close(Number(params.number), body.actor, body.reason ?? "closed"));
      return json({ pr });
    });
}
