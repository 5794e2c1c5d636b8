import type { JobState } from "../core/job-states.ts";
import type { PauseState } from "../control/control-service.ts";
import type { Component, WorkerRecord } from "./records.ts";

/** What `GET /status` returns: one read of everything `pushpals status` shows. */
export interface StuckJob {
  id: string;
  kind: string;
  state: JobState;
  why: string;
}

export interface StatusSnapshot {
  pid: number;
  counts: Partial<Record<JobState, number>>;
  oldestQueuedAt: number | null;
  components: Component[];
  workers: WorkerRecord[];
  stuck: StuckJob[];
  lastEventSeq: number;
  /** Set by `pushpals pause`: no claims, no merges. */
  paused: PauseState | null;
}
