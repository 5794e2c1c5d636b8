import { maxTier } from "../core/risk-tier.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { TaskPart } from "./specialist.ts";
import type { WorkItem } from "./work-item.ts";
import { moveWorkItem, upsertWorkItem } from "./work-items.ts";

const REMOTE_AGENT = "remote-agent";

/** An item that was split or re-scoped once is not again: its next failure is handled like any other. */
export function mayResplit(item: WorkItem): boolean {
  return item.detail.splitFrom === undefined && item.detail.resplit === undefined;
}

/**
 * A failed task re-scoped or split once, as its specialist says: one part is the item itself with the
 * new title, scope and detail, open for one more dispatch; several are new items of the same source,
 * requester and priority (each remembering what it came from), and the item is done, split.
 */
export function resplitWorkItem(ctx: WriteContext, item: WorkItem, parts: readonly TaskPart[], detail: Record<string, unknown>, failure: { class: string }): WorkItem[] {
  if (parts.length === 1) {
    const [part] = parts;
    // A changed task drops the RFC named for the old one.
    const { rfc: _rfc, rfcNamedBy: _by, ...kept } = detail;
    return [moveWorkItem(ctx, REMOTE_AGENT, item, "open", `re-scoped once after its task failed (${failure.class})`, { title: part!.title, scope: part!.scope, detail: { ...kept, ...part!.detail, resplit: "rescoped" } })];
  }
  const children = childItems(ctx, item, parts, "part", { splitFrom: item.id });
  moveWorkItem(ctx, REMOTE_AGENT, item, "done", `split into ${children.length} items after its task failed (${failure.class}): ${children.map((c) => c.id).join(", ")}`, {
    detail: { ...detail, resplit: "split", splitInto: children.map((c) => c.id) },
  });
  return children;
}

/**
 * A planner's tasks for the item: one is the item itself, with the task's title, scope, labels, notes and
 * tier (never below the item's), open for its specialist; several are new items of the same source,
 * requester and priority, and the item is done, planned. Each is classified at its own selection.
 */
export function planWorkItem(ctx: WriteContext, item: WorkItem, parts: readonly TaskPart[], detail: Record<string, unknown>, why: string): WorkItem[] {
  if (parts.length === 1) {
    const [part] = parts;
    const patch = { title: part!.title.slice(0, 300), scope: part!.scope, labels: part!.labels ?? item.labels, notes: part!.notes ?? item.notes, risk: maxTier(item.risk ?? "low", part!.risk ?? "low") };
    // The task is the planner's now, not the directive as asked: an RFC named for the directive is not its.
    const { rfc: _rfc, rfcNamedBy: _by, ...kept } = detail;
    return [moveWorkItem(ctx, REMOTE_AGENT, item, "open", `${why}: one task`, { ...patch, detail: { ...kept, ...part!.detail } })];
  }
  const children = childItems(ctx, item, parts, "task", { plannedFrom: item.id });
  moveWorkItem(ctx, REMOTE_AGENT, item, "done", `${why}: ${children.length} tasks, items ${children.map((c) => c.id).join(", ")}`, { detail: { ...detail, plannedInto: children.map((c) => c.id) } });
  return children;
}

function childItems(ctx: WriteContext, item: WorkItem, parts: readonly TaskPart[], key: string, from: Record<string, string>): WorkItem[] {
  return parts.map((part, i) =>
    upsertWorkItem(ctx, REMOTE_AGENT, {
      dedupeKey: `${item.dedupeKey}/${key}:${i + 1}`.slice(0, 512),
      source: item.source,
      type: item.type,
      title: part.title.slice(0, 300),
      priority: item.priority,
      risk: part.risk ? maxTier(item.risk ?? "low", part.risk) : item.risk,
      scope: part.scope,
      labels: part.labels ?? item.labels,
      notes: part.notes ?? item.notes,
      createdBy: item.createdBy,
      detail: { ...part.detail, ...from },
    }),
  );
}
