import { z } from "zod";
import type { WriteContext } from "../../jobs/transition.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { upsertWorkItem } from "../../planning/work-items.ts";

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
