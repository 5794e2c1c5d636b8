import { PushpalsError } from "../core/errors.ts";
import type { JobService } from "../jobs/job-service.ts";
import type { WriteContext } from "../jobs/transition.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { specialistFor, SPECIALISTS } from "../specialists/registry.ts";
import type { Specialist } from "../specialists/common/specialist.ts";
import { taskFor } from "./recipe.ts";
import type { Task } from "./task.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItem } from "./work-item.ts";
import type { WorkItemStore } from "../store/work-items/work-item-store.ts";
import { moveWorkItem, workItems } from "./work-items.ts";

const HOUR_MS = 3_600_000;

/** A dispatched task's job carries this dedupe key: dispatching the same attempt again finds that job, never a second. */
export function taskDedupeKey(itemId: string, attempt: number): string {
  return `task:${itemId}:${attempt}`;
}

export function itemIdOfTaskKey(key: string | null): string | null {
  const match = key?.match(/^task:([a-z]{1,8}_[0-9a-z]{8,40}):\d+$/);
  return match ? match[1]! : null;
}

/** What caps hold a specialist now: items in flight and dispatches in the last hour, from the stored items. */
export function capHolds(items: readonly WorkItem[], specialist: Specialist, now: number): string[] {
  const mine = items.filter((i) => i.detail.specialist === specialist.id);
  const inFlight = mine.filter((i) => i.state === "dispatched").length;
  const lastHour = mine.flatMap((i) => (i.detail.dispatchedAt as number[] | undefined) ?? []).filter((at) => now - at < HOUR_MS).length;
  const holds: string[] = [];
  if (inFlight >= specialist.limits.concurrent) holds.push(`cap: ${specialist.id} has ${inFlight} of ${specialist.limits.concurrent} items in flight`);
  if (lastHour >= specialist.limits.dispatchesPerHour) holds.push(`cap: ${specialist.id} was dispatched ${lastHour} times in the last hour (limit ${specialist.limits.dispatchesPerHour})`);
  return holds;
}

/** The RemoteAgent's own limits over every specialist (`[remote_agent]` in the config). */
export interface DispatchLimits {
  dispatch: boolean;
  max_in_flight: number;
  dispatches_per_hour: number;
}

/** What the RemoteAgent's own limits hold now, over every specialist. */
export function overallHolds(items: readonly WorkItem[], limits: DispatchLimits, now: number): string[] {
  if (!limits.dispatch) return ["remote_agent.dispatch = false: planning only, nothing is dispatched"];
  const inFlight = items.filter((i) => i.state === "dispatched").length;
  const lastHour = items.flatMap((i) => (i.detail.dispatchedAt as number[] | undefined) ?? []).filter((at) => now - at < HOUR_MS).length;
  const holds: string[] = [];
  if (inFlight >= limits.max_in_flight) holds.push(`cap: ${inFlight} of ${limits.max_in_flight} items in flight (remote_agent.max_in_flight)`);
  if (lastHour >= limits.dispatches_per_hour) holds.push(`cap: ${lastHour} dispatches in the last hour (remote_agent.dispatches_per_hour = ${limits.dispatches_per_hour})`);
  return holds;
}

/** What caps count: every active item, and the newest finished ones (their dispatches in the last hour). */
export function capWindow(store: WorkItemStore): WorkItem[] {
  const items = workItems(store);
  return [...items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 }), ...items.listWorkItems({ states: ["done", "dropped"], limit: 1_000, newest: true })];
}

export interface DispatchBase {
  baseBranch: string;
  baseCommit: string;
}

/**
 * The item as its task, as one job of its specialist's kind, in one transaction with the item moving
 * to `dispatched`. Idempotent: an item already dispatched returns its job (a RemoteAgent killed
 * mid-dispatch and restarted asks again and gets the same job).
 */
export function dispatchWorkItem(ctx: WriteContext, jobs: JobService, actor: string, id: string, base: DispatchBase, gate: { paused: boolean; limits: DispatchLimits }): { item: WorkItem; job: Job; deduped: boolean } {
  const item = workItems(ctx.store).getWorkItem(id);
  if (!item) throw new PushpalsError("not_found", `no work item ${id}`);
  const attempt = Number(item.detail.attempt ?? 0);
  if (item.state === "dispatched") {
    const job = ctx.store.findActiveJobByDedupeKey(taskDedupeKey(id, attempt)) ?? ctx.store.getJob(String(item.detail.job));
    if (job) return { item, job, deduped: true };
  }
  if (item.state !== "open") throw new PushpalsError("conflict", `work item ${id} is ${item.state}: only an open item is dispatched`);
  if (gate.paused) throw new PushpalsError("conflict", "PushPals is paused: nothing is dispatched until `pushpals resume`");
  const specialist = specialistFor(item.type, SPECIALISTS);
  if (!specialist) throw new PushpalsError("conflict", `no specialist takes ${item.type} items yet`);
  const all = capWindow(ctx.store);
  const caps = [...overallHolds(all, gate.limits, ctx.now), ...capHolds(all, specialist, ctx.now)];
  if (caps.length > 0) throw new PushpalsError("conflict", caps.join("; "));
  const task = taskFor(item, specialist);
  const next = attempt + 1;
  // The job is the requester's (a person's backlog item is theirs): who may approve its PR follows from that.
  const { job, deduped } = jobs.enqueueWithin(ctx, { kind: task.kind, input: jobInput(item, task, base), actor: item.createdBy, dedupeKey: taskDedupeKey(id, next) });
  if (deduped && (job.kind !== task.kind || job.createdBy !== item.createdBy)) {
    throw new PushpalsError("conflict", `the task key of ${id} names job ${job.id}, which is not this item's task`);
  }
  const dispatchedAt = [...((item.detail.dispatchedAt as number[] | undefined) ?? []), ctx.now].slice(-50);
  const moved = moveWorkItem(ctx, actor, item, "dispatched", `task ${next} as job ${job.id} (${specialist.id})`, {
    detail: { ...item.detail, task, specialist: specialist.id, attempt: next, job: job.id, dispatchedAt },
  });
  return { item: moved, job, deduped };
}

function jobInput(item: WorkItem, task: Task, base: DispatchBase): unknown {
  const body = [
    `**Goal:** ${task.goal}`,
    `**Constraints:** write scope ${task.constraints.scope.join(", ")}; time budget ${task.constraints.timeBudgetSeconds} s`,
    `**Risk tier:** ${task.risk}`,
    `**Definition of done:**\n${task.definitionOfDone.map((d) => `- ${d}`).join("\n")}`,
    `**Notes:** ${task.notes.join("; ")}`,
  ].join("\n\n");
  return { title: item.title.slice(0, 200), body, command: item.detail.command, scope: task.constraints.scope, risk: task.risk, baseBranch: base.baseBranch, baseCommit: base.baseCommit, commandTimeoutSeconds: task.constraints.timeBudgetSeconds };
}
