import { z } from "zod";
import { boundedText } from "../../core/bounded-text.ts";
import { PushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItem } from "../../planning/work-item.ts";
import { moveWorkItem, type NewWorkItem, upsertWorkItem, workItems } from "../../planning/work-items.ts";
import { RemoteIssue } from "../../providers/common/api.ts";
import type { Job } from "../../store/jobs/job-rows.ts";

export const GITHUB_ISSUE_TYPE = "github_issue";

/** At most this many issues per scan: past it the scan is incomplete, and closes nothing. */
export const MAX_SCANNED_ISSUES = 500;

/** Who reports the issues: the SourceControlManager, the only holder of the GitHub token. */
const SCM = "scm";

/**
 * What an `issues-scan` job returns: the open issues of `repository` carrying any of `labels`.
 * `complete` is false when a bound stopped the listing, so an issue missing from it may still be open.
 */
export const IssueScan = z.strictObject({
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  labels: z.array(z.string().max(50)).max(20),
  complete: z.boolean(),
  issues: z.array(RemoteIssue).max(MAX_SCANNED_ISSUES),
});

/** A trimmed text: the stored result was redacted after the handler bounded it, and redaction can lengthen it (`token=[REDACTED]`). */
const Trimmed = (max: number) => z.string().max(max * 4).transform((s) => boundedText(s, max));

/** The scan as the server reads it back: the same fields, each trimmed to its bound rather than refused. */
const StoredIssueScan = IssueScan.extend({
  issues: z.array(RemoteIssue.extend({ title: Trimmed(300), url: Trimmed(500), labels: z.array(Trimmed(64)).max(32), excerpt: Trimmed(500) })).max(MAX_SCANNED_ISSUES),
});
export type IssueScan = z.infer<typeof IssueScan>;

export function issueItemKey(repository: string, number: number): string {
  return `github_issue:${repository}#${number}`;
}

/**
 * The work item an open labelled issue is. Its title, labels and body are anyone's text: they are
 * stored as data, bounded, never as a command or a scope (no specialist takes the type yet).
 */
export function issueItem(repository: string, issue: RemoteIssue): NewWorkItem {
  return {
    dedupeKey: issueItemKey(repository, issue.number),
    source: "backlog",
    type: GITHUB_ISSUE_TYPE,
    title: boundedText(`#${issue.number} ${issue.title}`, 300),
    priority: issue.labels.some((l) => l.toLowerCase() === "bug") ? 60 : 50,
    risk: null,
    scope: [],
    labels: issue.labels.slice(0, 32).map((l) => boundedText(l, 64)),
    notes: boundedText(issue.excerpt ? `${issue.url}\n\n${issue.excerpt}` : issue.url, 4000),
    createdBy: SCM,
    detail: { repository, number: issue.number, url: issue.url },
  };
}

/** An `issues-scan` job's success files its issues (in the success's transaction); a failure changes nothing. */
export function recordIssueScan(ctx: WriteContext, job: Job): void {
  if (job.state !== "succeeded") return;
  const parsed = StoredIssueScan.safeParse(job.result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ["result", ...(issue?.path ?? [])].join(".");
    throw new PushpalsError("invalid_input", `${field}: ${issue?.message ?? "not an issue scan"}: the issues-scan result is refused and no item changed`, {
      field,
      hint: "the SourceControlManager and the server must run the same PushPals version",
    });
  }
  syncIssueItems(ctx, parsed.data);
}

export interface IssueSync {
  added: number;
  updated: number;
  closed: number;
}

/**
 * Brings the `github_issue` items in line with a scan: each listed issue one item (its title, labels,
 * notes and priority followed), and, when the scan is complete, each active item whose issue is no
 * longer listed (closed, relabelled, another repository) done, unless its task is running. An issue
 * whose item a person dropped stays dropped; one that comes back reopens its item. An unchanged scan
 * writes nothing.
 */
export function syncIssueItems(ctx: WriteContext, scan: IssueScan): IssueSync {
  const items = workItems(ctx.store);
  const counts: IssueSync = { added: 0, updated: 0, closed: 0 };
  const listed = new Set<string>();
  for (const issue of scan.issues) {
    const fresh = issueItem(scan.repository, issue);
    listed.add(fresh.dedupeKey);
    const existing = items.getWorkItemByKey(fresh.dedupeKey);
    if (existing?.state === "dropped") continue;
    const active = existing !== null && ACTIVE_WORK_ITEM_STATES.includes(existing.state);
    if (active && unchanged(existing, fresh)) continue;
    // A reopened (or relabelled again) issue is its old item again: closing and reopening never grows the store.
    if (existing?.state === "done") {
      moveWorkItem(ctx, SCM, existing, "open", `the issue is open in ${scan.repository} with one of the labels again`, { title: fresh.title, priority: fresh.priority, labels: fresh.labels, notes: fresh.notes, detail: { ...existing.detail, ...fresh.detail } });
      counts.updated++;
      continue;
    }
    upsertWorkItem(ctx, SCM, fresh, (item) => ({ ...item, title: fresh.title, priority: fresh.priority, labels: fresh.labels, notes: fresh.notes, detail: { ...item.detail, ...fresh.detail } }));
    counts[active ? "updated" : "added"]++;
  }
  if (!scan.complete) return counts;
  const labels = scan.labels.length ? scan.labels.map((l) => JSON.stringify(l)).join(", ") : "none: github.issue_labels is empty";
  for (const item of items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 })) {
    if (item.type !== GITHUB_ISSUE_TYPE || item.state === "dispatched" || listed.has(item.dedupeKey)) continue;
    moveWorkItem(ctx, SCM, item, "done", `the issue is no longer open in ${scan.repository} with one of the labels (${labels})`);
    counts.closed++;
  }
  return counts;
}

function unchanged(item: WorkItem, fresh: NewWorkItem): boolean {
  return item.title === fresh.title && item.priority === fresh.priority && item.notes === fresh.notes && JSON.stringify(item.labels) === JSON.stringify(fresh.labels) && item.detail.url === fresh.detail.url;
}
