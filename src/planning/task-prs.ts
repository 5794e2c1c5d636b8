import type { JobService } from "../jobs/job-service.ts";
import type { WriteContext } from "../jobs/transition.ts";
import { pullRequests } from "../prs/pr-store.ts";
import type { WorkItem } from "./work-item.ts";
import { escalateWorkItem, moveWorkItem, workItems } from "./work-items.ts";

const REMOTE_AGENT = "remote-agent";

/** Items whose task opened a PR that is still to merge. */
export function itemsAwaitingPrs(items: readonly WorkItem[]): WorkItem[] {
  return items.filter((i) => i.state === "dispatched" && typeof i.detail.pr === "number");
}

/**
 * Follows each task's PR through review, approval and merge: merged, its item is done (shipped);
 * closed, its item stops, blocked on whether to try again. Returns how many items moved.
 */
export function followTaskPrs(ctx: WriteContext, items: readonly WorkItem[]): number {
  const prs = pullRequests(ctx.store);
  let moved = 0;
  for (const item of itemsAwaitingPrs(items)) {
    const pr = prs.getPullRequest(Number(item.detail.pr));
    if (!pr || pr.state === "open") continue;
    if (pr.state === "merged") {
      moveWorkItem(ctx, REMOTE_AGENT, item, "done", `PR #${pr.number} merged${pr.merge ? ` as ${pr.merge.mergedSha.slice(0, 12)}` : ""}`);
    } else {
      const why = pr.closedReason ? ` (${pr.closedReason.slice(0, 200)})` : "";
      escalateWorkItem(ctx, REMOTE_AGENT, item, "stopped", `Its PR #${pr.number} was closed${why} without merging: dispatch it again (answer anything, or change it with --run / --scope), or drop it?`);
    }
    moved += 1;
  }
  return moved;
}

/** The server's sweep: the dispatched items that wait on a PR, moved when their PR merged or closed. */
export function sweepTaskPrs(jobs: JobService): number {
  const waiting = itemsAwaitingPrs(workItems(jobs.store).listWorkItems({ states: ["dispatched"], limit: 5_000 }));
  const prs = pullRequests(jobs.store);
  if (!waiting.some((i) => prs.getPullRequest(Number(i.detail.pr))?.state !== "open")) return 0;
  return jobs.record((ctx) => followTaskPrs(ctx, waiting));
}
