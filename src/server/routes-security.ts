import { routes } from "../api/routes.ts";
import type { GroupCommit } from "../jobs/group-commit.ts";
import type { JobService } from "../jobs/job-service.ts";
import { workItems } from "../planning/work-items.ts";
import { securityReport } from "../sources/security-audit/security-report.ts";
import { fileSecurityAudit, SECURITY_AUDIT_KEY } from "../sources/security-audit/audit-item.ts";
import type { Store } from "../store/store.ts";
import { personActorOf } from "./caller.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

/** `pushpals security`: the Security Sentinel's newest audit (a read), and `--audit`, which files one (a person, on the owner's socket). */
export function securityRoutes(router: Router, deps: { store: Store; service: JobService; commit: GroupCommit }): void {
  const { store, service, commit } = deps;
  router
    .route(routes.securityReport, () => {
      const [succeeded] = store.listJobs({ kind: "security-audit", state: "succeeded", newest: true, limit: 1 });
      const [newest] = store.listJobs({ kind: "security-audit", newest: true, limit: 1 });
      const item = workItems(store).getWorkItemByKey(SECURITY_AUDIT_KEY);
      return json(securityReport(succeeded ?? null, newest ?? null, item ?? null));
    })
    .route(routes.requestSecurityAudit, async ({ caller }) => {
      const actor = personActorOf(caller);
      const filed = await commit.run(() => service.record((ctx) => fileSecurityAudit(ctx, actor, `asked for by ${actor} (pushpals security --audit)`)));
      return json(filed, filed.filed ? 201 : 200);
    });
}
