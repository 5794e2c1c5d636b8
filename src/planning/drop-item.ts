import { PushpalsError } from "../core/errors.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { WorkItem } from "./work-item.ts";
import { moveWorkItem, requireItem } from "./work-items.ts";

/**
 * `pushpals backlog drop <item>`: withdrawn by a person; kept as history. A dispatched item's task is
 * no longer wanted: its job is returned, to be cancelled.
 */
export function dropWorkItem(ctx: WriteContext, actor: string, id: string, reason: string): { item: WorkItem; cancel: string | null } {
  const item = requireItem(ctx, id);
  if (item.state === "done" || item.state === "dropped") {
    throw new PushpalsError("conflict", `work item ${id} is already ${item.state}`, { hint: "see `pushpals backlog list --all`" });
  }
  const cancel = item.state === "dispatched" && typeof item.detail.job === "string" ? item.detail.job : null;
  return { item: moveWorkItem(ctx, actor, item, "dropped", reason), cancel };
}
