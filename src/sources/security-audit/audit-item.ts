import type { WriteContext } from "../../jobs/transition.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { moveWorkItem, upsertWorkItem, workItems } from "../../planning/work-items.ts";

/** The item type the Security Sentinel takes. */
export const SECURITY_AUDIT_TYPE = "security_audit";
/** One audit at a time: a second request while one waits or runs is the same item. */
export const SECURITY_AUDIT_KEY = "security_audit:base";

export interface FiledAudit {
  item: WorkItem;
  /** False when an audit was already waiting or running (that item is returned). */
  filed: boolean;
}

/**
 * `pushpals security --audit`: a `security_audit` backlog item for the base branch's head, audited when the
 * RemoteAgent dispatches it. One that waits or runs already is the answer. One blocked on an earlier
 * audit's findings is done, superseded: asking again is how a person has the fixed tree audited.
 */
export function fileSecurityAudit(ctx: WriteContext, actor: string, why: string): FiledAudit {
  const items = workItems(ctx.store);
  const existing = items.getWorkItemByKey(SECURITY_AUDIT_KEY);
  if (existing && (existing.state === "open" || existing.state === "dispatched")) return { item: existing, filed: false };
  if (existing && existing.state === "blocked") moveWorkItem(ctx, actor, existing, "done", `superseded: ${actor} asked for a new security audit`);
  const item = upsertWorkItem(ctx, actor, {
    dedupeKey: SECURITY_AUDIT_KEY,
    source: "backlog",
    type: SECURITY_AUDIT_TYPE,
    title: "Security audit of the base branch: secrets, advisories, policy and sandbox settings",
    priority: 50,
    risk: null,
    scope: [],
    labels: ["security"],
    notes: why.slice(0, 4000),
    createdBy: actor,
    detail: {},
  });
  return { item, filed: true };
}
