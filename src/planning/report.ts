import { z } from "zod";
import type { PullRequest } from "../prs/pr-types.ts";
import { CiHealth, ciHealth } from "./ci-health.ts";
import { OpenQuestion, type Plan } from "./plan.ts";
import type { WorkItem } from "./work-item.ts";

/** A report in the vision's format: Shipped, Evidence, Risk notes, Follow-ups. */
export const Report = z.object({
  since: z.number().int(),
  until: z.number().int(),
  shipped: z.array(z.object({ pr: z.number().int(), title: z.string(), url: z.string().nullable(), summary: z.string(), mergedSha: z.string().nullable() })),
  evidence: z.array(z.object({ pr: z.number().int(), checks: z.string(), review: z.string() })),
  riskNotes: z.array(z.object({ pr: z.number().int(), risk: z.string(), whatCouldGoWrong: z.string(), rollback: z.string() })),
  followUps: z.array(z.object({ item: z.string(), title: z.string(), why: z.string(), holds: z.array(z.string()) })),
  /** What waits on a person: each blocked item's one question and its escalation case. */
  questions: z.array(OpenQuestion).default([]),
  /** Mergeability over the window: approved PRs that merged, conflicts the Conflict Resolver resolved (files by strategy), and those left to a person. */
  mergeability: z
    .object({ approved: z.number().int(), merged: z.number().int(), resolved: z.number().int(), byStrategy: z.record(z.string(), z.number().int()), manualInterventions: z.number().int() })
    .nullable()
    .default(null),
  /** What the CI Medic found, fixed, quarantined and could not fix in the window. */
  ciHealth: CiHealth.nullable().default(null),
});
export type Report = z.infer<typeof Report>;

/** The metrics the report's mergeability line shows (MetricsSnapshot's `approvals` and `conflicts`). */
export interface MergeabilityFigures {
  approvals: { approved: number; merged: number };
  conflicts: { resolved: number; byStrategy: Record<string, number>; manualInterventions: number };
}

/** The PRs merged in [since, until] and the plan's next three, as the report; pure. */
export function buildReport(prs: readonly PullRequest[], plan: Plan, since: number, until: number, figures?: MergeabilityFigures, items?: readonly WorkItem[]): Report {
  const merged = prs.filter((p) => p.state === "merged" && p.updatedAt >= since && p.updatedAt <= until).sort((a, b) => a.number - b.number);
  return {
    since,
    until,
    shipped: merged.map((p) => ({ pr: p.number, title: p.title, url: p.remote?.url ?? null, summary: summary(p), mergedSha: p.merge?.mergedSha ?? null })),
    evidence: merged.map((p) => ({ pr: p.number, checks: checksLine(p), review: reviewLine(p) })),
    riskNotes: merged.map((p) => ({ pr: p.number, risk: p.classification?.tier ?? p.risk, whatCouldGoWrong: risks(p), rollback: rollback(p) })),
    followUps: plan.entries.slice(0, 3).map((e) => ({ item: e.item.id, title: e.item.title, why: e.why, holds: e.holds })),
    questions: plan.questions,
    ciHealth: items ? ciHealth(items, since, until) : null,
    mergeability: figures ? { approved: figures.approvals.approved, merged: figures.approvals.merged, resolved: figures.conflicts.resolved, byStrategy: { ...figures.conflicts.byStrategy }, manualInterventions: figures.conflicts.manualInterventions } : null,
  };
}

function summary(p: PullRequest): string {
  const files = p.files.length;
  return `${p.title} (${files} file${files === 1 ? "" : "s"} in ${p.scope.join(", ") || "its scope"}, by ${p.role ?? p.createdBy})`;
}

function checksLine(p: PullRequest): string {
  const checks = p.merge?.checks ?? p.checks;
  const names = checks.results.map((c) => `${c.name} exit ${c.exitCode ?? c.signal}`).join(", ");
  return `${checks.state} on ${checks.sha.slice(0, 12)}${checks.tree ? ` (tree ${checks.tree.slice(0, 12)})` : ""}: ${names || "no checks"}`;
}

function reviewLine(p: PullRequest): string {
  if (!p.review) return "no review recorded";
  const people = p.approvals.map((a) => a.by);
  return `${p.review.decision} on ${p.review.headSha.slice(0, 12)} with ${p.review.findings.length} finding(s)${people.length ? `; approved by ${people.join(", ")}` : ""}`;
}

function risks(p: PullRequest): string {
  const reasons = (p.classification?.reasons ?? []).map((r) => r.message);
  return reasons.length ? reasons.join("; ") : `a ${p.risk}-risk change inside ${p.scope.join(", ") || "its scope"}; its checks passed on the merged commit`;
}

/** The exact revert, as a PR through the same gates, and as the git command it runs: the PR's commits, between the base it landed on and the merged head. */
function rollback(p: PullRequest): string {
  if (!p.merge) return "merged on the remote provider: revert it there";
  if (!p.merge.previousBaseSha) return `git revert --no-edit ${p.merge.mergedSha}`;
  return `pushpals revert ${p.number} (git revert --no-edit ${p.merge.previousBaseSha}..${p.merge.mergedSha})`;
}
