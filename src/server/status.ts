import { DEFAULT_CONFIG, type RemoteAgentSettings } from "../config/schema.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItemState } from "../planning/work-item.ts";
import { workItems } from "../planning/work-items.ts";
import { openQuestions } from "../planning/plan.ts";
import { capWindow, overallHolds } from "../planning/caps.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import type { Store } from "../store/store.ts";
import { readPause } from "../jobs/pause-state.ts";
import type { ComponentStatus, StatusSnapshot, StuckJob } from "../api/responses.ts";
import { cachedMemoryReader, totalMemory } from "../components/process-memory.ts";
import type { Component } from "../store/components/component-rows.ts";

const WORKER_ALIVE_MS = 60_000;
/** Each component's memory, read at most every 2 s: `status` in a loop (a watch, a dashboard) costs no more. */
const readMemory = cachedMemoryReader();
const QUEUED_TOO_LONG_MS = 60_000;

/** One read of everything `pushpals status` shows, including jobs that will not move on their own. */
export function statusSnapshot(store: Store, now: number, restartNeeded: string[] = [], supervisorPid: number | null = null, limits: RemoteAgentSettings = DEFAULT_CONFIG.remote_agent): StatusSnapshot {
  const workers = store.listWorkers();
  const liveKinds = new Set(workers.filter((w) => now - w.lastSeenAt < WORKER_ALIVE_MS).flatMap((w) => w.kinds));
  const stuck: StuckJob[] = [];
  const note = (job: Job, why: string) => stuck.push({ id: job.id, kind: job.kind, state: job.state, why });
  for (const job of store.listJobs({ state: "running", limit: 500 })) {
    if ((job.leaseExpiresAt ?? now) < now) note(job, `lease expired ${Math.round((now - job.leaseExpiresAt!) / 1000)}s ago; it will be requeued`);
  }
  for (const job of store.listJobs({ state: "queued", limit: 500 })) {
    if (now - job.createdAt > QUEUED_TOO_LONG_MS && !liveKinds.has(job.kind)) note(job, `no live worker runs ${job.kind} jobs`);
  }
  for (const job of store.listJobs({ state: "blocked", limit: 500 })) note(job, job.blockedReason ?? "blocked");
  const components = store.listComponents().map(withMemory);
  const supervisorProcess = supervisorPid === null ? null : { pid: supervisorPid, memory: readMemory(supervisorPid) };
  return {
    pid: process.pid,
    counts: store.countJobsByState(),
    oldestQueuedAt: store.oldestQueuedAt(),
    components,
    supervisorProcess,
    memoryTotal: totalMemory([...components.map((c) => c.memory), supervisorProcess?.memory]),
    workers,
    stuck,
    lastEventSeq: store.lastEventSeq(),
    paused: readPause(store),
    restartNeeded,
    work: workSummary(store, limits, now),
  };
}

function workSummary(store: Store, limits: RemoteAgentSettings, now: number): NonNullable<StatusSnapshot["work"]> {
  const active = workItems(store).listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 });
  const counts: Partial<Record<WorkItemState, number>> = {};
  for (const item of active) counts[item.state] = (counts[item.state] ?? 0) + 1;
  const questions = openQuestions(active);
  return { counts, questions: questions.length, openQuestions: questions.slice(0, 10), holds: overallHolds(capWindow(store), limits, now), limits };
}

/** Only a running component's pid is read: a stopped or crashed one's may already name another process. */
function withMemory(component: Component): ComponentStatus {
  const running = component.pid !== null && (component.state === "ready" || component.state === "starting");
  return { ...component, memory: running ? readMemory(component.pid!) : null };
}
