import type { Specialist } from "./specialist.ts";
import type { WorkItemStore } from "../store/work-items/work-item-store.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItem } from "./work-item.ts";
import { workItems } from "./work-items.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A specialist's limits as `[remote_agent.specialists.<id>]` may lower or raise them. */
export interface SpecialistLimitOverride {
  concurrent?: number;
  dispatches_per_hour?: number;
  dispatches_per_day?: number;
}

/** The RemoteAgent's own limits over every specialist (`[remote_agent]` in the config). */
export interface DispatchLimits {
  dispatch: boolean;
  max_in_flight: number;
  dispatches_per_hour: number;
  dispatches_per_day: number;
  /** After this many failed tasks in a row (of one specialist, or of all), dispatch waits `cooldown_minutes`. */
  cooldown_after_failures: number;
  cooldown_minutes: number;
  /** A task running longer than this is cancelled and its item stops, blocked on a question. */
  item_wall_time_minutes: number;
  specialists: Record<string, SpecialistLimitOverride>;
}

/** One dispatched task's end, kept on its item: what cool-downs count. */
export interface TaskResult {
  at: number;
  ok: boolean;
}

export function taskResults(item: WorkItem): TaskResult[] {
  return (item.detail.results as TaskResult[] | undefined) ?? [];
}

function dispatchTimes(items: readonly WorkItem[]): number[] {
  return items.flatMap((i) => (i.detail.dispatchedAt as number[] | undefined) ?? []);
}

/** The specialist's declared limits with the config's overrides applied. */
export function specialistLimits(specialist: Specialist, limits?: DispatchLimits): { concurrent: number; dispatchesPerHour: number; dispatchesPerDay: number } {
  const over = limits?.specialists[specialist.id] ?? {};
  return {
    concurrent: over.concurrent ?? specialist.limits.concurrent,
    dispatchesPerHour: over.dispatches_per_hour ?? specialist.limits.dispatchesPerHour,
    dispatchesPerDay: over.dispatches_per_day ?? specialist.limits.dispatchesPerDay,
  };
}

/** What caps hold a specialist now: items in flight, dispatches in the last hour and day, its cool-down. */
export function capHolds(items: readonly WorkItem[], specialist: Specialist, now: number, limits?: DispatchLimits): string[] {
  const mine = items.filter((i) => i.detail.specialist === specialist.id);
  const own = specialistLimits(specialist, limits);
  // Its open PRs count too: `concurrent` is also how many of its PRs may wait at once.
  const inFlight = mine.filter((i) => i.state === "dispatched").length;
  const times = dispatchTimes(mine);
  const lastHour = times.filter((at) => now - at < HOUR_MS).length;
  const lastDay = times.filter((at) => now - at < DAY_MS).length;
  const key = `remote_agent.specialists.${specialist.id}`;
  const holds: string[] = [];
  if (inFlight >= own.concurrent) holds.push(`cap: ${specialist.id} has ${inFlight} of ${own.concurrent} items in flight (${key}.concurrent)`);
  if (lastHour >= own.dispatchesPerHour) holds.push(`cap: ${specialist.id} was dispatched ${lastHour} times in the last hour (${key}.dispatches_per_hour = ${own.dispatchesPerHour})`);
  if (lastDay >= own.dispatchesPerDay) holds.push(`cap: ${specialist.id} was dispatched ${lastDay} times in the last day (${key}.dispatches_per_day = ${own.dispatchesPerDay})`);
  if (limits) holds.push(...coolDownHolds(mine, specialist.id, now, limits));
  return holds;
}

/** What the RemoteAgent's own limits hold now, over every specialist. */
export function overallHolds(items: readonly WorkItem[], limits: DispatchLimits, now: number): string[] {
  if (!limits.dispatch) return ["remote_agent.dispatch = false: planning only, nothing is dispatched"];
  // Tasks still running: a PR that waits days for a person counts against its own specialist
  // (the Dependency Steward's open-PR limit), never against the failing build that comes next.
  const inFlight = items.filter((i) => i.state === "dispatched" && typeof i.detail.pr !== "number").length;
  const times = dispatchTimes(items);
  const lastHour = times.filter((at) => now - at < HOUR_MS).length;
  const lastDay = times.filter((at) => now - at < DAY_MS).length;
  const holds: string[] = [];
  if (inFlight >= limits.max_in_flight) holds.push(`cap: ${inFlight} of ${limits.max_in_flight} items in flight (remote_agent.max_in_flight)`);
  if (lastHour >= limits.dispatches_per_hour) holds.push(`cap: ${lastHour} dispatches in the last hour (remote_agent.dispatches_per_hour = ${limits.dispatches_per_hour})`);
  if (lastDay >= limits.dispatches_per_day) holds.push(`cap: ${lastDay} dispatches in the last day (remote_agent.dispatches_per_day = ${limits.dispatches_per_day})`);
  holds.push(...coolDownHolds(items, null, now, limits));
  return holds;
}

/**
 * After `cooldown_after_failures` failed tasks in a row, nothing more is dispatched (to that
 * specialist, or at all) until `cooldown_minutes` after the last of them: a retry storm stops itself.
 */
export function coolDownHolds(items: readonly WorkItem[], specialist: string | null, now: number, limits: DispatchLimits): string[] {
  const results = items.flatMap(taskResults).sort((a, b) => a.at - b.at);
  let failedInARow = 0;
  for (let i = results.length - 1; i >= 0 && !results[i]!.ok; i--) failedInARow += 1;
  if (failedInARow < limits.cooldown_after_failures) return [];
  const until = results.at(-1)!.at + limits.cooldown_minutes * 60_000;
  if (now >= until) return [];
  const who = specialist ?? "every specialist";
  return [`cool-down: the last ${failedInARow} tasks of ${who} failed; dispatch resumes at ${new Date(until).toISOString()} (remote_agent.cooldown_after_failures = ${limits.cooldown_after_failures}, cooldown_minutes = ${limits.cooldown_minutes})`];
}

/** What caps count: every active item, and the newest finished ones (their dispatches and results). */
export function capWindow(store: WorkItemStore): WorkItem[] {
  const items = workItems(store);
  return [...items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 }), ...items.listWorkItems({ states: ["done", "dropped"], limit: 1_000, newest: true })];
}
