import { SecurityAudit } from "../../security/security-finding.ts";
import { defineKind } from "../common/define-kind.ts";
import { SecurityAuditInput } from "./security-audit-input.ts";

/**
 * `security-audit`: the Security Sentinel's static look at one commit. A WorkerPal reads the commit's tree
 * from the object store (never a working tree, nothing run): secrets in every text blob, the advisories of
 * the locked dependencies (the user's npm configuration, host-side), and the policy and sandbox settings
 * committed there. It changes nothing; its findings are its result. Only the server creates it (the
 * RemoteAgent's dispatch of a `security_audit` item: `pushpals security --audit`).
 */
export const securityAuditKind = defineKind({
  id: "security-audit",
  summary: "audit one commit: secrets in the whole tree, advisories of the locked dependencies, the committed policy and sandbox settings",
  input: SecurityAuditInput,
  result: SecurityAudit,
  createdBy: "server",
  role: "worker",
  // No command of it runs: the WorkerPal itself reads git objects and asks the registry.
  network: false,
  handler: async (input, ctx) => (await import("./security-audit-handler.ts")).runSecurityAudit(input, ctx),
});
