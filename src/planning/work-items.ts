import { PushpalsError } from "../core/errors.ts";
import { newId } from "../core/ids.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { WorkItemStore } from "../store/work-items/work-item-store.ts";
import { ACTIVE_WORK_ITEM_STATES, type Escalation, type WorkItem, type WorkItemState } from "./work-item.ts";

/** The store's work items, as the planning domain's documents. */
export function workItems(store: WorkItemStore): WorkItemStore<WorkItem> {
  return store as unknown as WorkItemStore<WorkItem>;
}

export type NewWorkItem = Omit<WorkItem, "id" | "state" | "createdAt" | "updatedAt" | "question" | "answer" | "escalation"> & { state?: WorkItemState; question?: string | null; escalation?: Escalation | null };

/**
 * Adds an item, or, when an active one has the same dedupe key, merges into it (the same red check
 * seen on a second commit is one item, seen twice): `merge` says how. A finished item of that key is
 * kept as history (`historyKey`) and a new one starts under the key.
 */
export function upsertWorkItem(ctx: WriteContext, actor: string, fresh: NewWorkItem, merge: (existing: WorkItem) => WorkItem = (e) => e): WorkItem {
  const items = workItems(ctx.store);
  const existing = items.getWorkItemByKey(fresh.dedupeKey);
  if (existing && ACTIVE_WORK_ITEM_STATES.includes(existing.state)) {
    const merged = { ...merge(existing), updatedAt: ctx.now };
    items.updateWorkItem(merged);
    return merged;
  }
  if (existing) items.updateWorkItem({ ...existing, dedupeKey: historyKey(existing) });
  const item: WorkItem = { ...fresh, id: newId("wi"), state: fresh.state ?? "open", question: fresh.question ?? null, escalation: fresh.escalation ?? null, answer: null, createdAt: ctx.now, updatedAt: ctx.now };
  items.insertWorkItem(item);
  ctx.audit(actor, "work_item.added", item.id, { dedupeKey: item.dedupeKey, source: item.source, type: item.type, title: item.title });
  return item;
}

/**
 * A finished item's key once a new item takes its own: under `history:`, a prefix no source files
 * under (each names its own, `failing_build:`, `backlog:`...), so no item can take it first and
 * make the next one of that key unfilable.
 */
export function historyKey(item: WorkItem): string {
  return `history:${item.id}:${item.dedupeKey}`.slice(0, 512);
}

/** Moves an item to `state`, audited with the reason. */
export function moveWorkItem(ctx: WriteContext, actor: string, item: WorkItem, state: WorkItemState, reason: string, patch: Partial<WorkItem> = {}): WorkItem {
  const next: WorkItem = { ...item, ...patch, state, updatedAt: ctx.now };
  workItems(ctx.store).updateWorkItem(next);
  ctx.audit(actor, "work_item.moved", item.id, { from: item.state, to: state, reason });
  return next;
}

/**
 * Stops the item, blocked on one question of one of the escalation cases, audited: nothing more is
 * dispatched for it until a person answers (`pushpals answer`) or drops it.
 */
export function escalateWorkItem(ctx: WriteContext, actor: string, item: WorkItem, escalation: Escalation, question: string, patch: Partial<WorkItem> = {}): WorkItem {
  ctx.audit(actor, "work_item.escalated", item.id, { escalation, question });
  return moveWorkItem(ctx, actor, item, "blocked", `${escalation}: ${question}`, { ...patch, escalation, question });
}

/** The item, or `not_found` saying where to look. */
export function requireItem(ctx: WriteContext, id: string): WorkItem {
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item) throw new PushpalsError("not_found", `no work item ${id}`, { hint: "`pushpals backlog list --all` lists them" });
  return item;
}
