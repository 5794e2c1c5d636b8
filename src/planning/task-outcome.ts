import type { WriteContext } from "../jobs/transition.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { itemIdOfTaskKey } from "./dispatch.ts";
import { moveWorkItem, workItems } from "./work-items.ts";

const REMOTE_AGENT = "remote-agent";

/**
 * A dispatched task's job ended: the item records it, in the job's transition transaction. Success
 * ships the item; a failure opens it for one more dispatch, and the same failure twice (same class,
 * same message) stops it, blocked with one question, instead of looping.
 */
export function recordTaskOutcome(ctx: WriteContext, job: Job): void {
  const id = itemIdOfTaskKey(job.dedupeKey);
  if (!id) return;
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item || item.state !== "dispatched" || item.detail.job !== job.id) return;
  if (job.state === "succeeded") {
    moveWorkItem(ctx, REMOTE_AGENT, item, "done", `job ${job.id} succeeded`, { detail: { ...item.detail, outcome: { job: job.id, state: "succeeded" } } });
    return;
  }
  if (job.state === "cancelled") {
    moveWorkItem(ctx, REMOTE_AGENT, item, "blocked", `job ${job.id} was cancelled`, { question: `Its job ${job.id} was cancelled: dispatch it again (answer anything) or drop it?` });
    return;
  }
  if (job.state !== "failed") return;
  const failure = { class: job.failure?.class ?? "internal", message: job.failure?.message ?? "failed" };
  const last = item.detail.lastFailure as { class: string; message: string } | undefined;
  const detail = { ...item.detail, lastFailure: failure, failures: Number(item.detail.failures ?? 0) + 1 };
  if (last && last.class === failure.class && last.message === failure.message) {
    const question = `It failed the same way twice (${failure.class}: ${failure.message}). What should change before it is tried again, or should it be dropped?`;
    moveWorkItem(ctx, REMOTE_AGENT, item, "blocked", `job ${job.id} failed the same way twice`, { detail, question });
    return;
  }
  moveWorkItem(ctx, REMOTE_AGENT, item, "open", `job ${job.id} failed (${failure.class}); it may be dispatched once more`, { detail });
}
