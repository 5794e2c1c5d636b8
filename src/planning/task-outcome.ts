import type { WriteContext } from "../jobs/transition.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import type { TaskResult } from "./caps.ts";
import { pullRequests } from "../prs/pr-store.ts";
import { itemIdOfTaskKey } from "./dispatch.ts";
import type { SpecialistPlugin, TaskContext } from "./specialist.ts";
import { mayResplit, planWorkItem, resplitWorkItem } from "./split-task.ts";
import type { WorkItem } from "./work-item.ts";
import { escalateWorkItem, moveWorkItem, workItems } from "./work-items.ts";

const REMOTE_AGENT = "remote-agent";

/**
 * A dispatched task's job ended: the item records it, in the job's transition transaction. Success
 * that opened a PR leaves the item waiting on that PR (it ships when the PR merges). A failure is handled by its class: the machine's or repository's state
 * (`environment`) and a policy refusal stop and ask at once, since another try cannot fix them;
 * anything else is re-scoped or split once if its specialist can, else opens the item for one more
 * dispatch, and the same failure twice (same class, same message) stops it, blocked with one
 * question, instead of looping.
 */
export function recordTaskOutcome(ctx: WriteContext, job: Job, specialists: readonly SpecialistPlugin[] = [], context: TaskContext = {}): void {
  const id = itemIdOfTaskKey(job.dedupeKey);
  if (!id) return;
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item || item.state !== "dispatched" || item.detail.job !== job.id) return;
  if (job.state === "succeeded") {
    const detail = withResult(item, ctx.now, true, { outcome: { job: job.id, state: "succeeded" } });
    // Its PR opened in this same transaction: the item ships when the PR merges (followTaskPrs), not before.
    const pr = pullRequests(ctx.store).getPullRequestByJob(job.id);
    if (pr && pr.state === "open") {
      moveWorkItem(ctx, REMOTE_AGENT, item, "dispatched", `job ${job.id} opened PR #${pr.number}; it ships when that merges`, { detail: { ...detail, pr: pr.number } });
      return;
    }
    // No PR: the specialist says what its job's result means (a triage verdict is evidence, not a fix).
    const plugin = pr ? undefined : specialists.find((s) => s.spec.id === item.detail.specialist);
    const said = plugin?.onSuccess?.(item, job.result, context);
    if (said && "escalation" in said) {
      escalateWorkItem(ctx, REMOTE_AGENT, item, said.escalation, said.question, { detail });
      return;
    }
    if (said && "plan" in said) {
      planWorkItem(ctx, item, said.plan, detail, `job ${job.id} succeeded: ${said.why}`);
      return;
    }
    if (said && "next" in said) {
      moveWorkItem(ctx, REMOTE_AGENT, item, "open", `job ${job.id} succeeded: ${said.next}`, { detail: { ...detail, ...said.detail } });
      return;
    }
    const why = said ? said.done : `job ${job.id} succeeded${pr ? ` (PR #${pr.number} ${pr.state})` : ""}`;
    moveWorkItem(ctx, REMOTE_AGENT, item, "done", why, { detail: { ...detail, ...(pr ? { pr: pr.number } : {}) } });
    return;
  }
  if (job.state === "cancelled") {
    const overdue = typeof item.detail.overdueAt === "number";
    const question = overdue
      ? `Its job ${job.id} ran past the item's wall time (remote_agent.item_wall_time_minutes) and was cancelled: dispatch it again (answer anything), narrow it (--scope), or drop it?`
      : `Its job ${job.id} was cancelled: dispatch it again (answer anything) or drop it?`;
    escalateWorkItem(ctx, REMOTE_AGENT, item, "stopped", question, { detail: overdue ? withResult(item, ctx.now, false, {}) : item.detail });
    return;
  }
  if (job.state !== "failed") return;
  const failure = { class: job.failure?.class ?? "internal", message: job.failure?.message ?? "failed" };
  const last = item.detail.lastFailure as { class: string; message: string } | undefined;
  const detail = withResult(item, ctx.now, false, { lastFailure: failure, failures: Number(item.detail.failures ?? 0) + 1 });
  const line = `${failure.class}: ${failure.message.split("\n")[0]!.slice(0, 300)}`;
  if (failure.class === "environment") {
    const question = `It failed on the machine's or repository's state, not on its change (${line}), and that cannot be isolated from here: fix it (pushpals doctor says what), then answer to try again, or drop it?`;
    escalateWorkItem(ctx, REMOTE_AGENT, item, "unrelated_state", question, { detail });
    return;
  }
  if (failure.class === "budget_exceeded" || failure.class === "loop_detected") {
    // Another try would spend the same budget or go round the same loop: a person decides (raise the budget, narrow the task).
    const question = `Its model-backed task stopped (${line}): raise the budget ([models.budget] in .pushpals/config.toml) or narrow the task (pushpals answer ${item.id} "..."), then answer to try again; or drop it?`;
    escalateWorkItem(ctx, REMOTE_AGENT, item, "stopped", question, { detail });
    return;
  }
  if (failure.class === "policy_denied") {
    const question = `The policy refused its change (${line}): change the task so it stays within the rules (pushpals answer ${item.id} "..." --scope "<glob>") or drop it?`;
    escalateWorkItem(ctx, REMOTE_AGENT, item, "conflicts_principles", question, { detail });
    return;
  }
  const plugin = specialists.find((s) => s.spec.id === item.detail.specialist);
  const parts = plugin?.split && mayResplit(item) ? plugin.split(item, failure) : null;
  if (parts && parts.length > 0) {
    resplitWorkItem(ctx, item, parts, detail, failure);
    return;
  }
  if (last && last.class === failure.class && last.message === failure.message) {
    const question = `It failed the same way twice (${line}). What should change before it is tried again, or should it be dropped?`;
    escalateWorkItem(ctx, REMOTE_AGENT, item, "stopped", question, { detail });
    return;
  }
  moveWorkItem(ctx, REMOTE_AGENT, item, "open", `job ${job.id} failed (${failure.class}); it may be dispatched once more`, { detail });
}

/** The item's detail with this task's result appended (the last 20 are kept: what cool-downs count). */
function withResult(item: WorkItem, at: number, ok: boolean, extra: Record<string, unknown>): Record<string, unknown> {
  const results: TaskResult[] = [...((item.detail.results as TaskResult[] | undefined) ?? []), { at, ok }].slice(-20);
  return { ...item.detail, ...extra, results };
}
