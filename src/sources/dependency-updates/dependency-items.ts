import semver from "semver";
import { boundedText } from "../../core/bounded-text.ts";
import { isPushpalsError, PushpalsError } from "../../core/errors.ts";
import type { WriteContext } from "../../jobs/transition.ts";
import { ACTIVE_WORK_ITEM_STATES, type WorkItem } from "../../planning/work-item.ts";
import { moveWorkItem, type NewWorkItem, upsertWorkItem, workItems } from "../../planning/work-items.ts";
import { pullRequests } from "../../prs/pr-store.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import { DEPENDENCY_UPDATE_TYPE, DepsScan, groupSignature, type PlannedUpdateRecord, type UpdateGroupRecord } from "./deps-scan-result.ts";

/** Who files them: the WorkerPal that scanned, on the Dependency Steward's behalf. */
const STEWARD = "dependency-steward";

/** The most paths an item's scope lists one by one; a bigger group's scope is every package.json. */
const MAX_SCOPE_PATHS = 63;

const SEVERITY_PRIORITY = { critical: 90, high: 85, moderate: 80, low: 75, info: 75 } as const;

export function dependencyItemKey(branch: string, groupKey: string): string {
  return `deps:${branch}:${groupKey}`.slice(0, 512);
}

/** An update's identity across scans: the manifest it is declared in, the package and the kind of update. */
export function updateId(u: Pick<PlannedUpdateRecord, "manifestPath" | "name" | "kind">): string {
  return `${u.manifestPath}|${u.name}|${u.kind}`;
}

/**
 * The item a group is: routine updates below the labelled issues, a security fix above them (by its worst
 * advisory), scoped to the manifests it edits and the lockfile.
 */
export function dependencyItem(scan: Pick<DepsScan, "branch" | "lockfile" | "commit" | "schedule">, group: UpdateGroupRecord, extra: Record<string, unknown> = {}): NewWorkItem {
  const worst = group.security.reduce<number>((p, a) => Math.max(p, SEVERITY_PRIORITY[a.severity]), 0);
  const priority = worst || (group.key === "lockfile-maintenance" ? 20 : group.updates.some((u) => u.kind === "major") ? 35 : 40);
  const manifests = [...new Set(group.updates.map((u) => u.manifestPath))].sort();
  const scope = manifests.length > MAX_SCOPE_PATHS ? ["**/package.json"] : manifests;
  return {
    dedupeKey: dependencyItemKey(scan.branch, group.key),
    source: "backlog",
    type: DEPENDENCY_UPDATE_TYPE,
    title: boundedText(group.title, 300),
    priority,
    risk: group.tier,
    scope: scan.lockfile ? [...scope, scan.lockfile] : scope,
    labels: ["dependencies", ...(group.security.length ? ["security"] : [])],
    notes: boundedText(group.updates.map((u) => `${u.name} ${u.from} -> ${u.to} (${u.manifestPath})`).join("\n"), 4000),
    createdBy: STEWARD,
    detail: { branch: scan.branch, scanCommit: scan.commit, schedule: scan.schedule, group, signature: groupSignature(group), ...extra },
  };
}

/** Closes a PR inside the transaction already open (PrService.closeWithin); throws `conflict` when a merge of it is under way. */
export interface PrCloser {
  closeWithin(ctx: WriteContext, number: number, actor: string, reason: string): unknown;
}

/** A `deps-scan` job's success files its groups (in the success's transaction); a failure changes nothing. */
export function recordDependencyScan(ctx: WriteContext, job: Job, closer?: PrCloser): void {
  if (job.state !== "succeeded") return;
  const parsed = DepsScan.safeParse(job.result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ["result", ...(issue?.path ?? [])].join(".");
    throw new PushpalsError("invalid_input", `${field}: ${issue?.message ?? "not a dependency scan"}: the deps-scan result is refused and no item changed`, {
      field,
      hint: "the WorkerPal and the server must run the same PushPals version",
    });
  }
  // The scan is of the branch and commit it was asked for, whatever the WorkerPal reports.
  const asked = job.input as { branch?: unknown; commit?: unknown };
  if (parsed.data.branch !== asked.branch || parsed.data.commit !== asked.commit) {
    throw new PushpalsError("invalid_input", `result: the scan reports ${parsed.data.branch}@${parsed.data.commit.slice(0, 12)}, but was asked for ${String(asked.branch)}@${String(asked.commit).slice(0, 12)}: refused, no item changed`, { field: "result.commit" });
  }
  syncDependencyItems(ctx, parsed.data, closer);
}

export interface DependencySync {
  added: number;
  updated: number;
  reopened: number;
  /** Open PRs closed as superseded, their items open again for a fresh PR. */
  refreshed: number;
  closed: number;
}

/**
 * Brings the `dependency_update` items of the scan's branch in line with it. Per group: a new one is an
 * open item; an open or blocked one follows the group. An open PR is refreshed only when its group changed
 * or it no longer rebases (its last merge failed with a conflict): it is closed as superseded and its item
 * opens again with the new group, for a fresh PR from the base; never on a mere base move. While its task
 * still runs, the group it would become is kept as `next` (the next scan refreshes its PR). A group
 * a person turned down (its PR closed unmerged, or the item dropped) is not proposed again until a newer
 * version of one of its packages appears: then only the newer updates reopen it. A shipped group reopens
 * with what is new. When the scan is complete, an active item whose group is gone (updated by hand, the
 * dependency removed) is done.
 */
export function syncDependencyItems(ctx: WriteContext, scan: DepsScan, closer?: PrCloser): DependencySync {
  const items = workItems(ctx.store);
  const prs = pullRequests(ctx.store);
  const counts: DependencySync = { added: 0, updated: 0, reopened: 0, refreshed: 0, closed: 0 };
  const listed = new Set<string>();
  for (const group of scan.groups) {
    const key = dependencyItemKey(scan.branch, group.key);
    listed.add(key);
    const existing = items.getWorkItemByKey(key);
    const rejected = existing ? rejectedOf(existing, prs.getPullRequest.bind(prs)) : {};
    const offered = { ...group, updates: group.updates.filter((u) => !turnedDown(u, rejected)) };
    if (offered.updates.length === 0) continue;
    const fresh = dependencyItem(scan, offered, Object.keys(rejected).length ? { rejected } : {});
    const signature = groupSignature(offered);
    if (!existing) {
      upsertWorkItem(ctx, STEWARD, fresh);
      counts.added++;
      continue;
    }
    if (existing.state === "dispatched" && closer && refreshPr(ctx, closer, scan, existing, fresh, signature)) {
      counts.refreshed++;
      continue;
    }
    if (existing.detail.signature === signature && existing.state !== "dropped") continue;
    if (existing.state === "dispatched") {
      if (existing.detail.nextSignature === signature) continue;
      items.updateWorkItem({ ...existing, detail: { ...existing.detail, next: offered, nextSignature: signature }, updatedAt: ctx.now });
      counts.updated++;
      continue;
    }
    if (existing.state === "open" || (existing.state === "blocked" && !isTurnedDown(existing, prs.getPullRequest.bind(prs)))) {
      // An RFC approved one set of updates: another set needs its own.
      const { rfc: _rfc, ...kept } = existing.detail;
      items.updateWorkItem({ ...existing, title: fresh.title, priority: fresh.priority, risk: fresh.risk, scope: fresh.scope, labels: fresh.labels, notes: fresh.notes, detail: { ...kept, ...fresh.detail }, updatedAt: ctx.now });
      counts.updated++;
      continue;
    }
    // Done, dropped, or blocked on a closed PR: what is offered now is newer than what shipped or was turned down.
    const reason = existing.state === "done" ? "newer versions than the ones it shipped" : "newer versions than the ones a person turned down";
    moveWorkItem(ctx, STEWARD, existing, "open", `the dependency scan of ${scan.commit.slice(0, 12)} found ${reason}`, {
      ...fresh,
      question: null,
      escalation: null,
      answer: null,
      detail: fresh.detail,
    });
    counts.reopened++;
  }
  if (!scan.complete) return counts;
  const prefix = dependencyItemKey(scan.branch, "");
  for (const item of items.listWorkItems({ states: ACTIVE_WORK_ITEM_STATES, limit: 5_000 })) {
    if (item.type !== DEPENDENCY_UPDATE_TYPE || !item.dedupeKey.startsWith(prefix) || item.state === "dispatched" || listed.has(item.dedupeKey)) continue;
    if (isTurnedDown(item, prs.getPullRequest.bind(prs))) continue;
    moveWorkItem(ctx, STEWARD, item, "done", `the dependency scan of ${scan.commit.slice(0, 12)} no longer proposes it (updated another way, or no longer allowed)`);
    counts.closed++;
  }
  return counts;
}

/**
 * Closes the item's open PR as superseded when its group changed or it conflicts, and opens the item
 * again with the new group (its attempt count kept). False when there is nothing to refresh, or a merge
 * of the PR is under way (then the merge decides).
 */
function refreshPr(ctx: WriteContext, closer: PrCloser, scan: DepsScan, item: WorkItem, fresh: NewWorkItem, signature: string): boolean {
  const pr = typeof item.detail.pr === "number" ? pullRequests(ctx.store).getPullRequest(item.detail.pr) : null;
  if (!pr || pr.state !== "open") return false;
  const changed = item.detail.signature !== signature;
  const conflicts = pr.lastMergeFailure?.startsWith("conflict:") ?? false;
  if (!changed && !conflicts) return false;
  const why = changed ? "its group changed" : `it no longer rebases onto ${pr.baseBranch}`;
  const reason = `superseded: ${why} (the dependency scan of ${scan.commit.slice(0, 12)}); the update is proposed again from the base`;
  try {
    closer.closeWithin(ctx, pr.number, STEWARD, reason);
  } catch (err) {
    if (isPushpalsError(err, "conflict")) return false;
    throw err;
  }
  const carried = { attempt: item.detail.attempt, dispatchedAt: item.detail.dispatchedAt, superseded: [...((item.detail.superseded as number[] | undefined) ?? []), pr.number].slice(-20) };
  moveWorkItem(ctx, STEWARD, item, "open", `PR #${pr.number} ${reason}`, { title: fresh.title, priority: fresh.priority, risk: fresh.risk, scope: fresh.scope, labels: fresh.labels, notes: fresh.notes, detail: { ...fresh.detail, ...carried } });
  return true;
}

type PrLookup = (n: number) => { state: string } | null;

/** A person turned it down: dropped it, or closed its PR without merging. */
function isTurnedDown(item: WorkItem, pr: PrLookup): boolean {
  if (item.state === "dropped") return true;
  return item.state === "blocked" && typeof item.detail.pr === "number" && pr(item.detail.pr)?.state === "closed";
}

/** The newest version per update a person turned down, over this item's history. */
function rejectedOf(item: WorkItem, pr: PrLookup): Record<string, string> {
  const before = isRecord(item.detail.rejected) ? (item.detail.rejected as Record<string, string>) : {};
  if (!isTurnedDown(item, pr)) return before;
  const group = item.detail.group as UpdateGroupRecord | undefined;
  const out = { ...before };
  for (const u of group?.updates ?? []) {
    const id = updateId(u);
    if (semver.valid(u.to) === null) continue;
    if (!out[id] || semver.gt(u.to, out[id]!)) out[id] = u.to;
  }
  return out;
}

function turnedDown(u: PlannedUpdateRecord, rejected: Record<string, string>): boolean {
  const version = rejected[updateId(u)];
  return version !== undefined && semver.valid(version) !== null && semver.valid(u.to) !== null && semver.lte(u.to, version);
}

function isRecord(v: unknown): boolean {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}
