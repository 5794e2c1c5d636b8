import type { JobService } from "../jobs/job-service.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { DispatchLimits } from "./caps.ts";
import type { WorkItem } from "./work-item.ts";
import { workItems } from "./work-items.ts";

/** Dispatched items whose task has run longer than `item_wall_time_minutes` since its dispatch. */
export function overdueItems(items: readonly WorkItem[], now: number, limits: Pick<DispatchLimits, "item_wall_time_minutes">): WorkItem[] {
  const wallMs = limits.item_wall_time_minutes * 60_000;
  return items.filter((i) => {
    // A task whose PR opened is done running: its PR waits for people, not for the wall time.
    if (i.state !== "dispatched" || typeof i.detail.job !== "string" || typeof i.detail.pr === "number") return false;
    const since = ((i.detail.dispatchedAt as number[] | undefined) ?? []).at(-1);
    return since !== undefined && now - since > wallMs;
  });
}

/**
 * Marks the item overdue (its task's cancellation then stops it on a wall-time question) and returns
 * the job to cancel. Marking first and cancelling after is safe to repeat: a crash in between leaves
 * the item dispatched and overdue, and the next sweep cancels again.
 */
export function markOverdue(ctx: WriteContext, id: string): string | null {
  const items = workItems(ctx.store);
  const item = items.getWorkItem(id);
  if (!item || item.state !== "dispatched") return null;
  if (typeof item.detail.overdueAt !== "number") {
    items.updateWorkItem({ ...item, updatedAt: ctx.now, detail: { ...item.detail, overdueAt: ctx.now } });
    ctx.audit("server", "work_item.overdue", item.id, { job: item.detail.job, dispatchedAt: (item.detail.dispatchedAt as number[] | undefined)?.at(-1) ?? null });
  }
  return String(item.detail.job);
}

/** The server's sweep: each overdue item marked and its job cancelled. Returns how many. */
export function sweepOverdue(jobs: JobService, limits: Pick<DispatchLimits, "item_wall_time_minutes">, now: number): number {
  const dispatched = workItems(jobs.store).listWorkItems({ states: ["dispatched"], limit: 5_000 });
  let cancelled = 0;
  for (const item of overdueItems(dispatched, now, limits)) {
    const job = jobs.record((ctx) => markOverdue(ctx, item.id));
    if (!job) continue;
    jobs.cancel(job, "server", `work item ${item.id} ran past its wall time (remote_agent.item_wall_time_minutes = ${limits.item_wall_time_minutes})`);
    cancelled += 1;
  }
  return cancelled;
}
