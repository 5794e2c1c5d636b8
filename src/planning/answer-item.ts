import { PushpalsError } from "../core/errors.ts";
import type { WriteContext } from "../jobs/transition.ts";
import { pullRequests } from "../prs/pr-store.ts";
import type { WorkItem } from "./work-item.ts";
import { moveWorkItem, requireItem } from "./work-items.ts";

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
