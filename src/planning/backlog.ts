import { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import type { WriteContext } from "../jobs/transition.ts";
import { pullRequests } from "../prs/pr-store.ts";
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

export interface Answer {
  answer: string;
  rfc?: number;
  command?: string;
  scope?: string[];
}

/** Item types whose task is a command a person names (the Codemod Runner's). */
const COMMAND_TYPES = ["directive", "backlog_task", "codemod"];

/**
 * `pushpals answer <item> "..."`: the answer to a blocked item's question, audited; the item is open
 * again, changed as the answer says. High-risk work goes ahead only with its `rfc`; a directive only
 * once the answer names its task (a command and a write scope: it becomes a codemod).
 */
export function answerWorkItem(ctx: WriteContext, actor: string, id: string, answer: Answer): WorkItem {
  const item = requireItem(ctx, id);
  if (item.state !== "blocked") {
    throw new PushpalsError("conflict", `work item ${id} is ${item.state}, not waiting on an answer`, { hint: "`pushpals plan` lists the open questions" });
  }
  if (item.escalation === "high_risk" && answer.rfc === undefined) {
    throw new PushpalsError("conflict", `work item ${id} is high-risk work: it goes ahead only as the merged RFC it carries out, which an answer alone is not`, {
      hint: `write the RFC (pushpals ask --risk high "..." opens its PR), have it approved and merged, then: pushpals answer ${id} "..." --rfc <its PR number>; or drop it`,
    });
  }
  if (answer.rfc !== undefined) assertMergedRfc(ctx, answer.rfc);
  if (answer.command !== undefined && !COMMAND_TYPES.includes(item.type)) {
    throw new PushpalsError("invalid_input", `work item ${id} is a ${item.type} item: its task is its specialist's, not a command`, { field: "command", hint: "answer without --run" });
  }
  const command = answer.command ?? (typeof item.detail.command === "string" ? item.detail.command : undefined);
  const scope = answer.scope ?? item.scope;
  if (item.type === "directive" && (command === undefined || scope.length === 0)) {
    throw new PushpalsError("invalid_input", `work item ${id} is a directive no specialist carries out as it stands: the answer names its task`, {
      field: "command",
      hint: `pushpals answer ${id} "..." --run "<command>" --scope "<glob>" (the Codemod Runner runs it), or drop it`,
    });
  }
  if (command !== undefined && scope.length === 0) throw new PushpalsError("invalid_input", "a command needs a write scope (--scope)", { field: "scope" });
  const approved = answer.rfc !== undefined ? { rfc: answer.rfc, rfcNamedBy: actor } : {};
  const type = command !== undefined ? "codemod" : item.type;
  ctx.audit(actor, "work_item.answered", id, { question: item.question, escalation: item.escalation ?? null, answer: answer.answer, rfc: answer.rfc ?? null, commandChanged: answer.command !== undefined, scope: answer.scope ?? null });
  return moveWorkItem(ctx, actor, item, "open", `answered by ${actor}`, { answer: answer.answer, escalation: null, type, scope, detail: { ...item.detail, ...approved, ...(command !== undefined ? { command } : {}) } });
}

/** The RFC a high-risk item carries out is a merged RFC PR (its merge was the people's approval). */
function assertMergedRfc(ctx: WriteContext, number: number): void {
  const pr = pullRequests(ctx.store).getPullRequest(number);
  if (pr && pr.rfcFor !== null && pr.state === "merged") return;
  const what = !pr ? "no such PR" : pr.rfcFor === null ? "not an RFC PR" : `an RFC PR that is ${pr.state}, not merged`;
  throw new PushpalsError("invalid_input", `rfc: #${number} is ${what}`, { field: "rfc", hint: "name the merged RFC PR (pushpals prs lists them); a High directive (pushpals ask --risk high) opens one" });
}

function requireItem(ctx: WriteContext, id: string): WorkItem {
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item) throw new PushpalsError("not_found", `no work item ${id}`, { hint: "`pushpals backlog list --all` lists them" });
  return item;
}
