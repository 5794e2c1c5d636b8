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
    throw new PushpalsError("conflict", `work item ${id} is high-risk work: it goes ahead only as the merged RFC it carries out, which an answer alone is not`, { hint: rfcHint(item) });
  }
  if (answer.rfc !== undefined) assertItsRfc(ctx, item, answer.rfc);
  const commandType = COMMAND_TYPES.includes(item.type);
  if ((answer.command !== undefined || answer.scope !== undefined) && !commandType) {
    throw new PushpalsError("invalid_input", `work item ${id} is a ${item.type} item: its task is its specialist's, not a command or a scope of yours`, { field: answer.command !== undefined ? "command" : "scope", hint: "answer without --run and --scope" });
  }
  const command = answer.command ?? (commandType && typeof item.detail.command === "string" ? item.detail.command : undefined);
  const scope = answer.scope ?? item.scope;
  if (item.type === "directive" && (command === undefined || scope.length === 0)) {
    throw new PushpalsError("invalid_input", `work item ${id} is a directive no specialist carries out as it stands: the answer names its task`, {
      field: "command",
      hint: `pushpals answer ${id} "..." --run "<command>" --scope "<glob>" (the Codemod Runner runs it), or drop it`,
    });
  }
  if (command !== undefined && scope.length === 0) throw new PushpalsError("invalid_input", "a command needs a write scope (--scope)", { field: "scope" });
  const type = command !== undefined ? "codemod" : item.type;
  // An RFC approved the task it was named for: a task changed by this answer needs it named again.
  const { rfc: _named, rfcNamedBy: _by, ...rest } = item.detail;
  const changed = answer.command !== undefined || answer.scope !== undefined;
  const kept = changed ? rest : item.detail;
  const approved = answer.rfc !== undefined ? { rfc: answer.rfc, rfcNamedBy: actor } : {};
  ctx.audit(actor, "work_item.answered", id, { question: item.question, escalation: item.escalation ?? null, answer: answer.answer, rfc: answer.rfc ?? null, commandChanged: answer.command !== undefined, scope: answer.scope ?? null });
  return moveWorkItem(ctx, actor, item, "open", `answered by ${actor}`, { answer: answer.answer, escalation: null, type, scope, detail: { ...kept, ...approved, ...(command !== undefined ? { command } : {}) } });
}

/** How high-risk work gets its RFC: a directive's was opened when it was recorded; other work becomes one. */
export function rfcHint(item: WorkItem): string {
  if (item.source === "directive") return `once its RFC PR (opened when the directive was recorded) is approved and merged: pushpals answer ${item.id} "..." --rfc <that PR>; or drop it`;
  return `record it as a High directive (pushpals ask --risk high "..."; its RFC PR follows, and the directive's item carries out the work once that merges), then drop this one: pushpals backlog drop ${item.id}`;
}

/**
 * The RFC high-risk work carries out is its own: a merged RFC PR written for this item's directive
 * (its merge was the people's approval of exactly that). Any other RFC approved something else.
 */
function assertItsRfc(ctx: WriteContext, item: WorkItem, number: number): void {
  const pr = pullRequests(ctx.store).getPullRequest(number);
  // Its dedupe key names the directive's job for good (`detail.job` becomes each dispatched task's).
  const directive = item.source === "directive" && item.dedupeKey.startsWith("directive:") ? item.dedupeKey.slice("directive:".length) : null;
  if (pr && pr.rfcFor !== null && pr.state === "merged" && pr.rfcFor === directive) return;
  const what = !pr
    ? "no such PR"
    : pr.rfcFor === null
      ? "not an RFC PR"
      : pr.state !== "merged"
        ? `an RFC PR that is ${pr.state}, not merged`
        : `the RFC of another directive (${pr.rfcFor}), not of this item's`;
  throw new PushpalsError("invalid_input", `rfc: #${number} is ${what}`, { field: "rfc", hint: rfcHint(item) });
}
