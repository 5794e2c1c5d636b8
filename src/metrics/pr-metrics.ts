import type { PullRequest } from "../prs/pr-types.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { REWORK_HEADS } from "./definitions.ts";
import { headJobId, type PrRecord } from "./metrics-history.ts";
import type { MetricsSnapshot } from "./metrics-snapshot.ts";
import { ratio } from "./stats.ts";

/** The head a change job's success handed over (its result's PR proposal); null when it made none. */
function headMadeBy(job: Job): string | null {
  const sha = (job.result as { pr?: { headSha?: unknown } } | null)?.pr?.headSha;
  return typeof sha === "string" ? sha : null;
}

/**
 * Whether every commit of a merged PR came from a PushPals job (definitions.ts, `autonomousMerge`):
 * its first head entry is `pr.opened` and each later one a `pr.updated` from the head before; each
 * names a job that succeeded with exactly that head; the last is the PR's head; and its merge job
 * succeeded on that head. A head with no job behind it (or none recorded) is someone else's commit.
 */
export function mergedAutonomously({ pr, heads }: PrRecord, jobs: ReadonlyMap<string, Job>): boolean {
  if (pr.state !== "merged" || heads.length === 0) return false;
  let previous: string | null = null;
  for (const [i, entry] of heads.entries()) {
    const data = entry.data as { headSha?: unknown; previousHeadSha?: unknown } | null;
    if (typeof data?.headSha !== "string") return false;
    if (i === 0 ? entry.action !== "pr.opened" : entry.action !== "pr.updated" || data.previousHeadSha !== previous) return false;
    const job = jobs.get(headJobId(entry) ?? "");
    if (!job || job.state !== "succeeded" || headMadeBy(job) !== data.headSha) return false;
    previous = data.headSha;
  }
  if (previous !== pr.headSha) return false;
  const merge = pr.mergeJobId ? jobs.get(pr.mergeJobId) : undefined;
  return merge?.state === "succeeded" && (merge.input as { headSha?: unknown }).headSha === pr.headSha;
}

/** Autonomous merge rate over the PRs opened in the window that merged. */
export function autonomousMerges(prs: readonly PrRecord[], jobs: ReadonlyMap<string, Job>): MetricsSnapshot["merges"] {
  const merged = prs.filter((r) => r.pr.state === "merged");
  const autonomous = merged.filter((r) => mergedAutonomously(r, jobs)).length;
  return { merged: merged.length, autonomous, rate: ratio(autonomous, merged.length) };
}

/** Rework rate over the PRs opened in the window: REWORK_HEADS or more heads. */
export function rework(prs: readonly PrRecord[]): MetricsSnapshot["rework"] {
  // A merge of the base that resolved conflicts is the base moving, not the change being reworked.
  const reworked = prs.filter((r) => r.heads.filter((h) => !(h.data as { resolvedConflicts?: boolean } | null)?.resolvedConflicts).length >= REWORK_HEADS).length;
  return { prs: prs.length, reworked, rate: ratio(reworked, prs.length) };
}

/** Approved-to-merged conversion (definitions.ts, `approvedToMerged`) over the PRs approved in the window. */
export function approvedToMerged(approved: readonly PullRequest[]): MetricsSnapshot["approvals"] {
  const merged = approved.filter((pr) => pr.state === "merged").length;
  return { approved: approved.length, merged, rate: ratio(merged, approved.length) };
}
