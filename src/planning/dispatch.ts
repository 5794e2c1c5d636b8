import { maxTier } from "../core/risk-tier.ts";
import { isPushpalsError, PushpalsError } from "../core/errors.ts";
import type { JobService } from "../jobs/job-service.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { specialistFor, type DispatchBase, type SpecialistPlugin } from "./specialist.ts";
import type { Task } from "./task.ts";
import type { Policy } from "../policy/policy-schema.ts";
import { capHolds, capWindow, overallHolds, type DispatchLimits } from "./caps.ts";
import { classifyAtSelection } from "./selection-risk.ts";
import type { WorkItem } from "./work-item.ts";
import { escalateWorkItem, moveWorkItem, workItems } from "./work-items.ts";

/** A dispatched task's job carries this dedupe key: dispatching the same attempt again finds that job, never a second. */
export function taskDedupeKey(itemId: string, attempt: number): string {
  return `task:${itemId}:${attempt}`;
}

export function itemIdOfTaskKey(key: string | null): string | null {
  const match = key?.match(/^task:([a-z]{1,8}_[0-9a-z]{8,40}):\d+$/);
  return match ? match[1]! : null;
}

/**
 * The item as its task, as one job of its specialist's kind, in one transaction with the item moving
 * to `dispatched`; or, when its classification at selection says to ask first, the item blocked on
 * that question and no job. Idempotent: an item already dispatched returns its job (a RemoteAgent
 * killed mid-dispatch and restarted asks again and gets the same job).
 */
export function dispatchWorkItem(
  ctx: WriteContext,
  jobs: JobService,
  actor: string,
  id: string,
  base: DispatchBase,
  gate: { paused: boolean; limits: DispatchLimits; policy: Policy; specialists: readonly SpecialistPlugin[] },
): { item: WorkItem; job: Job | null; deduped: boolean } {
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item) throw new PushpalsError("not_found", `no work item ${id}`);
  const attempt = Number(item.detail.attempt ?? 0);
  if (item.state === "dispatched") {
    const job = ctx.store.findActiveJobByDedupeKey(taskDedupeKey(id, attempt)) ?? ctx.store.getJob(String(item.detail.job));
    if (job) return { item, job, deduped: true };
  }
  if (item.state !== "open") throw new PushpalsError("conflict", `work item ${id} is ${item.state}: only an open item is dispatched`);
  if (gate.paused) throw new PushpalsError("conflict", "PushPals is paused: nothing is dispatched until `pushpals resume`");
  const plugin = specialistFor(item, gate.specialists);
  if (!plugin) throw new PushpalsError("conflict", `no specialist takes ${item.type} items yet`);
  const specialist = plugin.spec;
  const all = capWindow(ctx.store);
  const caps = [...overallHolds(all, gate.limits, ctx.now), ...capHolds(all, specialist, ctx.now, gate.limits)];
  if (caps.length > 0) throw new PushpalsError("conflict", caps.join("; "));
  const held = plugin.hold?.(item, ctx.now, base.baseBranch);
  if (held) throw new PushpalsError("conflict", held);
  // A recipe that cannot make the item's task (it lacks what the recipe reads) asks a person instead of being skipped forever.
  const unmade = (err: unknown) => {
    if (!isPushpalsError(err, "invalid_input")) throw err;
    const question = `Its task could not be made: ${err.message.split("\n")[0]!.slice(0, 500)}. Change what it asks (pushpals answer ${item.id} "..."), or drop it?`;
    return { item: escalateWorkItem(ctx, actor, item, "stopped", question, { detail: item.detail }), job: null, deduped: false };
  };
  let planned: Task;
  try {
    planned = plugin.task(item);
  } catch (err) {
    return unmade(err);
  }
  // Classified from the higher of the item's tier and its specialist's plan (a planned High waits for its RFC too).
  const verdict = classifyAtSelection({ ...item, risk: maxTier(item.risk ?? "low", planned.risk) }, planned.constraints.scope, planned.role ?? specialist.role, gate.policy);
  if (verdict.escalate) {
    const selection = { tier: verdict.tier, reasons: verdict.reasons };
    const blocked = escalateWorkItem(ctx, actor, item, verdict.escalate.escalation, verdict.escalate.question, { detail: { ...item.detail, selection } });
    return { item: blocked, job: null, deduped: false };
  }
  const task: Task = { ...planned, risk: verdict.tier, notes: [...planned.notes, ...verdict.reasons.map((r) => `classified at selection: ${r}`)] };
  const next = attempt + 1;
  // The job is the requester's (a person's backlog item is theirs): who may approve its PR follows from that.
  let enqueued: { job: Job; deduped: boolean };
  try {
    // The kind's schema checks the input first: a recipe's input it refuses is the same question.
    enqueued = jobs.enqueueWithin(ctx, { kind: task.kind, input: plugin.jobInput(item, task, base), actor: item.createdBy, dedupeKey: taskDedupeKey(id, next) });
  } catch (err) {
    return unmade(err);
  }
  const { job, deduped } = enqueued;
  if (deduped && (job.kind !== task.kind || job.createdBy !== item.createdBy)) {
    throw new PushpalsError("conflict", `the task key of ${id} names job ${job.id}, which is not this item's task`);
  }
  const dispatchedAt = [...((item.detail.dispatchedAt as number[] | undefined) ?? []), ctx.now].slice(-50);
  const moved = moveWorkItem(ctx, actor, item, "dispatched", `task ${next} as job ${job.id} (${specialist.id})`, {
    detail: { ...item.detail, overdueAt: undefined, pr: undefined, selection: { tier: verdict.tier, reasons: verdict.reasons }, task, specialist: specialist.id, attempt: next, job: job.id, dispatchedAt },
  });
  return { item: moved, job, deduped };
}
