import { routes } from "../api/routes.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { PrService } from "../prs/pr-service.ts";
import { PushpalsError } from "../core/errors.ts";
import { loadPrPolicy } from "../policy/load-policy-at.ts";
import { mergeGate } from "../prs/merge-gate.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

export interface PrRoutesDeps {
  prs: PrService;
  commit: GroupCommit;
  /** The repository, to read the policy committed at a PR's base. */
  repoRoot: string | null;
  /** Why the audit log no longer extends its anchor (see AuditAnchorer), or null. */
  auditDiverged?: () => string | null;
}

/** Pull requests (kept in the store whatever the provider). Opening and merging happen through `run` and `merge` jobs. */
export function prRoutes(router: Router, deps: PrRoutesDeps): void {
  const { prs, commit } = deps;
  router
    .route(routes.listPrs, ({ query: q }) => json({ prs: prs.list({ state: q.state, limit: q.limit }) }))
    .route(routes.getPr, ({ params }) => json({ pr: prs.get(params.number) }))
    .route(routes.prGate, async ({ params, query: q }) => {
      const pr = prs.get(params.number);
      if (!deps.repoRoot) throw new PushpalsError("internal", "the server does not know its repository", {});
      const { policy, hash, source } = await loadPrPolicy(deps.repoRoot, pr.baseSha, pr.baseBranch);
      const rfc = pr.rfc ? prs.find(pr.rfc) : null;
      // People's decisions count as the audit log records them; an edited PR record is named, not trusted.
      const audited = prs.audited(pr);
      const gate = mergeGate({ ...pr, approvals: audited.approvals, rejections: audited.rejections }, policy, hash, {
        rfcApproved: rfc?.state === "merged" && rfc.rfcFor !== null,
        expected: q,
        recordMismatches: audited.mismatches,
        auditDiverged: deps.auditDiverged?.() ?? null,
      });
      return json({ ...gate, policy: { source, hash } });
    })
    .route(routes.approvePr, async ({ params, body, caller }) => json({ pr: await commit.run(() => prs.decide(params.number, personActorOf(caller), "approve", body.reason ?? null, body.head)) }))
    .route(routes.rejectPr, async ({ params, body, caller }) => {
      if (!body.reason) throw new PushpalsError("invalid_input", "reason: a rejection needs a reason", { field: "reason", hint: 'pushpals reject <n> --why "..."' });
      return json({ pr: await commit.run(() => prs.decide(params.number, personActorOf(caller), "reject", body.reason ?? null, body.head)) });
    })
    .route(routes.mergePr, async ({ params, body, caller }) => {
      const pr = prs.get(params.number);
      // A moved head is the first thing to say (and re-reviewing for a head nobody asked about helps no one).
      if (pr.headSha !== body.head) return json(await commit.run(() => prs.requestMerge(params.number, personActorOf(caller), body.head)));
      if (deps.repoRoot && pr.review && pr.review.headSha === pr.headSha && pr.state === "open") {
        const { hash } = await loadPrPolicy(deps.repoRoot, pr.baseSha, pr.baseBranch);
        if (hash !== pr.review.policyHash) {
          const review = await commit.run(() => prs.rereview(pr.number));
          throw new PushpalsError("conflict", `the policy PR #${pr.number} is judged under changed since its head was reviewed: it is being reviewed again (job ${review.id}); nothing was merged`, {
            hint: `merge once that review is in: pushpals pr ${pr.number} shows it`,
          });
        }
      }
      const { job, deduped } = await commit.run(() => prs.requestMerge(params.number, personActorOf(caller), body.head));
      return json({ job, deduped }, deduped ? 200 : 201);
    })
    .route(routes.closePr, async ({ params, body, caller }) => {
      const pr = await commit.run(() => prs.close(params.number, personActorOf(caller), body.reason ?? "closed"));
      return json({ pr });
    });
}
