import type { JobService } from "../../jobs/job-service.ts";
import { ACTIVE_WORK_ITEM_STATES } from "../../planning/work-item.ts";
import { workItems } from "../../planning/work-items.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import { applyFollowUpChanges, followUpChanges } from "./pr-followups.ts";

/** The server's sweep: reads the open PRs and the follow-up items, and writes only when they differ. Returns how many items changed. */
export function sweepPrFollowUps(jobs: JobService): number {
  const open = pullRequests(jobs.store).listPullRequests({ state: "open", limit: 1_000 });
  const active = workItems(jobs.store).listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 });
  const changes = followUpChanges(open, active);
  const count = changes.upserts.length + changes.closes.length;
  if (count > 0) jobs.record((ctx) => applyFollowUpChanges(ctx, changes));
  return count;
}
