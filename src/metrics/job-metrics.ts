import { isTerminal } from "../jobs/states.ts";
import { isPerson } from "./definitions.ts";
import type { JobRecord } from "./metrics-history.ts";
import type { JobSuccess, KindSuccess } from "./metrics-snapshot.ts";
import { ratio } from "./stats.ts";

/**
 * Succeeded with no intervention (definitions.ts, `jobSuccess`): one counted attempt, never in
 * `retry_wait`, no cancel request, and no state change by a person after its creation.
 */
export function succeededClean({ job, transitions }: JobRecord): boolean {
  if (job.state !== "succeeded" || job.attempt !== 1 || job.cancelRequested) return false;
  return !transitions.some((t) => t.to === "retry_wait" || (t.from !== null && isPerson(t.actor)));
}

function success(records: readonly JobRecord[]): JobSuccess {
  const finished = records.filter((r) => isTerminal(r.job.state));
  const clean = finished.filter(succeededClean).length;
  return { finished: finished.length, succeeded: finished.filter((r) => r.job.state === "succeeded").length, clean, rate: ratio(clean, finished.length) };
}

/** Job success rate of the jobs created in the window, in all and per kind (kinds with no finished job left out). */
export function jobSuccess(records: readonly JobRecord[]): { all: JobSuccess; byKind: KindSuccess[] } {
  const byKind = new Map<string, JobRecord[]>();
  for (const r of records) {
    const list = byKind.get(r.job.kind);
    if (list) list.push(r);
    else byKind.set(r.job.kind, [r]);
  }
  const kinds = [...byKind.keys()].sort().map((kind) => ({ kind, ...success(byKind.get(kind)!) }));
  return { all: success(records), byKind: kinds.filter((k) => k.finished > 0) };
}
