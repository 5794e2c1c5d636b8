import { z } from "zod";
import { JobState } from "../../core/job-states.ts";
import { WorkItem } from "../../planning/work-item.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { SecurityAudit } from "../../security/security-finding.ts";

/**
 * `pushpals security` (`GET /security`): the newest successful audit's findings (its job's result), the
 * newest audit job when it is another one (running, or failed: why), and the audit item waiting or blocked.
 */
export const SecurityReport = z.strictObject({
  audit: SecurityAudit.extend({ job: z.string() }).nullable(),
  latest: z.strictObject({ job: z.string(), state: JobState, failure: z.string().nullable() }).nullable(),
  item: WorkItem.nullable(),
});
export type SecurityReport = z.infer<typeof SecurityReport>;

/** Only the server passes its stored jobs in; a result that is no audit (an older shape) shows as none. */
export function securityReport(succeeded: Job | null, newest: Job | null, item: WorkItem | null): SecurityReport {
  const parsed = succeeded ? SecurityAudit.safeParse(succeeded.result) : null;
  const audit = parsed?.success && succeeded ? { ...parsed.data, job: succeeded.id } : null;
  const latest = newest && newest.id !== audit?.job ? { job: newest.id, state: newest.state, failure: newest.failure ? `${newest.failure.class}: ${newest.failure.message}`.slice(0, 2000) : null } : null;
  return { audit, latest, item };
}

/** `POST /security/audit`: the audit item, and whether this request filed it (false: one already waits or runs). */
export const FiledAuditReply = z.strictObject({ item: WorkItem, filed: z.boolean() });
export type FiledAuditReply = z.infer<typeof FiledAuditReply>;
