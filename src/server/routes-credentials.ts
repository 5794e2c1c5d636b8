import { routes } from "../api/routes.ts";
import type { CredentialKey } from "../identity/component-credential.ts";
import type { JobService } from "../jobs/job-service.ts";
import { json } from "./http.ts";
import type { Router } from "./router.ts";

/**
 * Credentials for components the owner runs by hand (`pushpals worker`, `pushpals agent`, the
 * supervisor for itself and its children). Only the server's own OS user gets one (access.ts), on the
 * socket in its 0700 runtime directory, which no sandboxed command can see.
 */
export function credentialRoutes(router: Router, deps: { credentials: CredentialKey; service: JobService }): void {
  router.route(routes.issueCredential, ({ body, caller }) => {
    const credential = deps.credentials.issue(body);
    deps.service.audit(caller.person ?? "unknown", "credential.issued", body.name, { role: body.role, name: body.name, pid: caller.peer?.pid ?? null });
    return json({ credential });
  });
}
