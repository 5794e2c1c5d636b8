import type { WriteContext } from "../../jobs/transition.ts";
import { checkPassed, type PullRequest } from "../../prs/pr-types.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { moveWorkItem, upsertWorkItem } from "../../planning/work-items.ts";

export const PR_FOLLOWUP_TYPES = ["pr_conflict", "pr_checks_failed", "pr_changes_requested"];

const SERVER = "server";

/** What an open PR needs before it can land, each as the item it would be. */
export interface FollowUp {
  dedupeKey: string;
  type: string;
  title: string;
  notes: string;
  pr: number;
  headSha: string;
}

export function followUpKey(pr: number, type: string): string {
  return `pr_followup:${pr}:${type}`;
}

/** An open PR's follow-ups: its rebase conflicts, its checks failed on its head, or changes are requested on its head. */
export function followUpsOf(pr: PullRequest): FollowUp[] {
  if (pr.state !== "open") return [];
  const at = (type: string, title: string, notes: string): FollowUp => ({ dedupeKey: followUpKey(pr.number, type), type, title: title.slice(0, 300), notes: notes.slice(0, 4000), pr: pr.number, headSha: pr.headSha });
  const out: FollowUp[] = [];
  if (pr.lastMergeFailure?.startsWith("conflict:")) out.push(at("pr_conflict", `PR #${pr.number} no longer rebases onto ${pr.baseBranch}`, pr.lastMergeFailure));
  else if (pr.conflict) out.push(at("pr_conflict", `PR #${pr.number} no longer rebases onto ${pr.baseBranch}`, `it would conflict with ${pr.baseBranch} at ${pr.conflict.baseSha.slice(0, 12)} in: ${pr.conflict.files.join(", ")}`));
  if (pr.checks.state === "failed" && pr.checks.sha === pr.headSha) {
    const red = pr.checks.results.filter((c) => !checkPassed(c)).map((c) => c.name);
    out.push(at("pr_checks_failed", `PR #${pr.number}'s checks failed (${red.join(", ") || "checks"})`, `checks failed on ${pr.headSha.slice(0, 12)}: ${red.join(", ")}`));
  }
  const requested = pr.review?.decision === "request_changes" && pr.review.headSha === pr.headSha ? pr.review.findings.map((f) => f.message) : [];
  const rejected = pr.rejections.filter((r) => r.headSha === pr.headSha).map((r) => `${r.by}: ${r.why ?? "rejected"}`);
  if (requested.length || rejected.length) out.push(at("pr_changes_requested", `PR #${pr.number} has changes requested`, [...rejected, ...requested].join("; ")));
  return out;
}

/**
 * What brings the PR follow-up items in line with the open PRs: each follow-up an item (the same one
 * while it lasts, its head updated), and an item whose follow-up is gone (fixed, merged, closed)
 * closed, unless its task is running; one a person dropped is not filed again for the same head.
 * Pure (`latest` reads an item by key): empty when nothing changed.
 */
export function followUpChanges(prs: readonly PullRequest[], active: readonly WorkItem[], latest: (key: string) => WorkItem | null = () => null): { upserts: FollowUp[]; closes: WorkItem[] } {
  const wanted = new Map(prs.flatMap(followUpsOf).map((f) => [f.dedupeKey, f]));
  const current = new Map(active.filter((i) => i.source === "pr_followup").map((i) => [i.dedupeKey, i]));
  // A follow-up a person dropped stays dropped while the PR's head is the same.
  const dropped = (f: FollowUp) => {
    const last = current.has(f.dedupeKey) ? null : latest(f.dedupeKey);
    return last?.state === "dropped" && last.detail.headSha === f.headSha;
  };
  const upserts = [...wanted.values()].filter((f) => current.get(f.dedupeKey)?.detail.headSha !== f.headSha && !dropped(f));
  const closes = [...current.values()].filter((i) => !wanted.has(i.dedupeKey) && i.state !== "dispatched");
  return { upserts, closes };
}

/** Applies `followUpChanges`, audited as the server's. */
export function applyFollowUpChanges(ctx: WriteContext, changes: { upserts: FollowUp[]; closes: WorkItem[] }): void {
  for (const follow of changes.upserts) {
    upsertWorkItem(
      ctx,
      SERVER,
      { dedupeKey: follow.dedupeKey, source: "pr_followup", type: follow.type, title: follow.title, priority: 50, risk: null, scope: [], labels: [], notes: follow.notes, createdBy: SERVER, detail: { pr: follow.pr, headSha: follow.headSha } },
      (item) => ({ ...item, title: follow.title, notes: follow.notes, detail: { ...item.detail, headSha: follow.headSha } }),
    );
  }
  for (const item of changes.closes) moveWorkItem(ctx, SERVER, item, "done", `PR #${String(item.detail.pr)} no longer needs it (fixed, merged or closed)`);
}
