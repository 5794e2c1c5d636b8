import { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { WorkItem } from "./work-item.ts";
import { moveWorkItem, upsertWorkItem, workItems } from "./work-items.ts";

/** `pushpals backlog add`: a task for the local backlog. */
export const BacklogEntry = z.strictObject({
  title: z.string().trim().min(1).max(300),
  priority: z.number().int().min(0).max(100).default(50),
  labels: z.array(z.string().min(1).max(64)).max(32).default([]),
  notes: z.string().max(4000).nullable().default(null),
  /** The item type a specialist takes: `codemod` with a command, else `backlog_task` (no specialist takes it yet). */
  type: z.enum(["backlog_task", "codemod"]).optional(),
  /** A codemod item: the command the Codemod Runner runs in the sandbox, and the paths it may change. */
  command: z.string().min(1).max(8192).optional(),
  scope: z.array(z.string().min(1).max(512)).max(64).default([]),
})
  .refine((e) => e.command === undefined || e.scope.length > 0, { message: "a command needs a write scope (--scope)", path: ["scope"] })
  .refine((e) => e.type !== "codemod" || e.command !== undefined, { message: "a codemod needs its command (--run)", path: ["command"] });
export type BacklogEntry = z.infer<typeof BacklogEntry>;

export function addBacklogItem(ctx: WriteContext, actor: string, entry: BacklogEntry): WorkItem {
  // One backlog item per title: adding the same task twice is the same item.
  const key = `backlog:${entry.title.toLowerCase().replace(/\s+/g, " ")}`;
  const type = entry.type ?? (entry.command ? "codemod" : "backlog_task");
  const detail = entry.command ? { command: entry.command } : {};
  return upsertWorkItem(ctx, actor, { dedupeKey: key, source: "backlog", type, title: entry.title, priority: entry.priority, risk: null, scope: entry.scope, labels: entry.labels, notes: entry.notes, createdBy: actor, detail });
}

/** `pushpals backlog drop <item>`: withdrawn by a person; kept as history. */
export function dropWorkItem(ctx: WriteContext, actor: string, id: string, reason: string): WorkItem {
  const item = requireItem(ctx, id);
  if (item.state === "done" || item.state === "dropped") {
    throw new PushpalsError("conflict", `work item ${id} is already ${item.state}`, { hint: "see `pushpals backlog list --all`" });
  }
  return moveWorkItem(ctx, actor, item, "dropped", reason);
}

/** `pushpals answer <item> "..."`: the answer to a blocked item's question; the item is open again. */
export function answerWorkItem(ctx: WriteContext, actor: string, id: string, answer: string): WorkItem {
  const item = requireItem(ctx, id);
  if (item.state !== "blocked") {
    throw new PushpalsError("conflict", `work item ${id} is ${item.state}, not waiting on an answer`, { hint: "`pushpals plan` lists the open questions" });
  }
  ctx.audit(actor, "work_item.answered", id, { question: item.question, answer });
  return moveWorkItem(ctx, actor, item, "open", `answered by ${actor}`, { answer });
}

function requireItem(ctx: WriteContext, id: string): WorkItem {
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item) throw new PushpalsError("not_found", `no work item ${id}`, { hint: "`pushpals backlog list --all` lists them" });
  return item;
}
