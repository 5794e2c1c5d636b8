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
  const children = parts.map((part, i) =>
    upsertWorkItem(ctx, REMOTE_AGENT, {
      dedupeKey: `${item.dedupeKey}/part:${i + 1}`.slice(0, 512),
      source: item.source,
      type: item.type,
      title: part.title.slice(0, 300),
      priority: item.priority,
      risk: item.risk,
      scope: part.scope,
      labels: item.labels,
      notes: item.notes,
      createdBy: item.createdBy,
      detail: { ...part.detail, splitFrom: item.id },
    }),
  );
  moveWorkItem(ctx, REMOTE_AGENT, item, "done", `split into ${children.length} items after its task failed (${failure.class}): ${children.map((c) => c.id).join(", ")}`, {
    detail: { ...detail, resplit: "split", splitInto: children.map((c) => c.id) },
  });
  return children;
}
