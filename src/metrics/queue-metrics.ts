import type { Transition } from "../store/jobs/job-rows.ts";
import { RETRY_STORM_ATTEMPTS, STUCK_BLOCKED_MS } from "./definitions.ts";
import type { JobRecord } from "./metrics-history.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";
import { median, ratio, seconds } from "./stats.ts";

/** From the last time the job entered `queued` to its first `running` (never below 0, should the clock step back); null if it never started. */
export function queueWaitMs(transitions: readonly Transition[]): number | null {
  let queuedAt: number | null = null;
  for (const t of transitions) {
    if (t.to === "queued") queuedAt = t.at;
    if (t.to === "running") return queuedAt === null ? null : Math.max(0, t.at - queuedAt);
  }
  return null;
}

/**
 * Stuck (definitions.ts, `stuck`): the server took its lease back (lose-lease.ts: the only
 * transitions out of `running` the server makes), it runs on an expired lease now, or it stayed
 * `blocked` longer than STUCK_BLOCKED_MS in one stretch (one still going on counts up to `now`).
 */
export function wasStuck({ job, transitions }: JobRecord, now: number): boolean {
  if (transitions.some((t) => t.from === "running" && t.actor === "server")) return true;
  if (job.state === "running" && job.leaseExpiresAt !== null && job.leaseExpiresAt < now) return true;
  let blockedAt: number | null = null;
  for (const t of transitions) {
    if (blockedAt !== null && t.at - blockedAt > STUCK_BLOCKED_MS) return true;
    blockedAt = t.to === "blocked" ? t.at : null;
  }
  return blockedAt !== null && now - blockedAt > STUCK_BLOCKED_MS;
}

/** More counted attempts than RETRY_STORM_ATTEMPTS. */
export function retryStorm({ job }: JobRecord): boolean {
  return job.attempt > RETRY_STORM_ATTEMPTS;
}

/** Queue health of the jobs created in the window. */
export function queueHealth(records: readonly JobRecord[], now: number): MetricsSnapshot["queue"] {
  const waits = records.map((r) => queueWaitMs(r.transitions)).filter((w): w is number => w !== null);
  const stuck = records.filter((r) => wasStuck(r, now)).length;
  const retryStorms = records.filter(retryStorm).length;
  return {
    jobs: records.length,
    started: waits.length,
    medianWaitSeconds: seconds(median(waits)),
    stuck,
    stuckRate: ratio(stuck, records.length),
    retryStorms,
    retryStormRate: ratio(retryStorms, records.length),
  };
}
