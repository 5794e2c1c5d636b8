import type { JobService } from "../../jobs/job-service.ts";
import { ACTIVE_WORK_ITEM_STATES } from "../../planning/work-item.ts";
import { workItems } from "../../planning/work-items.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import { applyFollowUpChanges, followUpChanges } from "./pr-followups.ts";

/**
 * The server's sweep: reads the open PRs and the follow-up items, and writes only when they differ.
 * Nothing changes a follow-up without an event or an audit entry (a PR opened, merged, rejected, a
 * merge failed), so a sweep that finds neither since the last reads nothing. Returns how many items changed.
 */
export function prFollowUpSweep(jobs: JobService): () => number {
  let seen = "";
  return () => {
    const seq = `${jobs.store.lastEventSeq()}:${jobs.store.auditHead()?.seq ?? 0}`;
    if (seq === seen) return 0;
    seen = seq;
    return sweepPrFollowUps(jobs);
  };
}

function sweepPrFollowUps(jobs: JobService): number {
  const open = pullRequests(jobs.store).listPullRequests({ state: "open", limit: 1_000 });
  const items = workItems(jobs.store);
  const active = items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 });
  const changes = followUpChanges(open, active, (key) => items.getWorkItemByKey(key));
  const count = changes.upserts.length + changes.closes.length;
  if (count > 0) jobs.record((ctx) => applyFollowUpChanges(ctx, changes));
  return count;
}
