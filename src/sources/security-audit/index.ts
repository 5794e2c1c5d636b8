import type { WorkSourceDefinition } from "../common/work-source.ts";
import { SECURITY_AUDIT_TYPE } from "./audit-item.ts";

export const securityAuditSource: WorkSourceDefinition = {
  id: "backlog",
  summary: "security audits: `pushpals security --audit` (the Security Sentinel's item)",
  itemTypes: [SECURITY_AUDIT_TYPE],
};
