import { entriesMissing, entryIntact } from "../audit/entry-check.ts";
import type { AuditEntry } from "../store/audit/audit-chain.ts";
import type { Store } from "../store/store.ts";
import type { PrDecision, PullRequest } from "./pr-types.ts";

export const DECISION_ACTIONS = { approve: "pr.approved", reject: "pr.rejected" } as const;

export interface AuditedDecisions {
  approvals: PrDecision[];
  rejections: PrDecision[];
  /** Where the PR record and the audit log disagree, one line each; empty when they agree. */
  mismatches: string[];
}

/**
 * People's decisions on a PR, replayed from the audit log the way `PrService.decide` records them: an
 * approval replaces the person's earlier one and lifts their rejection; a rejection replaces their
 * earlier rejection. An entry the chain does not vouch for counts for nothing. The gate uses these,
 * not the PR record, and names every way the record differs (an edit of the table outside PushPals).
 */
export function auditedDecisions(store: Pick<Store, "auditOfSubject" | "auditAt" | "auditHead" | "auditCount">, pr: PullRequest): AuditedDecisions {
  const mismatches: string[] = [];
  const missing = entriesMissing(store);
  if (missing) mismatches.push(missing);
  const approvals = new Map<string, PrDecision>();
  const rejections = new Map<string, PrDecision>();
  for (const entry of store.auditOfSubject(`pr#${pr.number}`, [DECISION_ACTIONS.approve, DECISION_ACTIONS.reject])) {
    const decision = decisionOf(entry);
    if (!decision || !entryIntact(store, entry)) {
      mismatches.push(`audit entry #${entry.seq} (${entry.action}) does not check out against the chain`);
      continue;
    }
    if (entry.action === DECISION_ACTIONS.approve) {
      approvals.set(decision.by, decision);
      rejections.delete(decision.by);
    } else {
      rejections.set(decision.by, decision);
    }
  }
  compare("approval", pr.approvals ?? [], approvals, mismatches);
  compare("rejection", pr.rejections ?? [], rejections, mismatches);
  return { approvals: [...approvals.values()], rejections: [...rejections.values()], mismatches };
}

function decisionOf(entry: AuditEntry): PrDecision | null {
  const data = entry.data as { headSha?: unknown; why?: unknown } | null;
  if (!data || typeof data.headSha !== "string") return null;
  return { by: entry.actor, at: entry.at, headSha: data.headSha, why: typeof data.why === "string" ? data.why : null };
}

function compare(what: string, recorded: readonly PrDecision[], audited: Map<string, PrDecision>, out: string[]): void {
  const seen = new Set<string>();
  for (const r of recorded) {
    seen.add(r.by);
    const a = audited.get(r.by);
    if (!a) out.push(`the PR record holds ${what} by ${r.by} of ${r.headSha.slice(0, 12)} that the audit log does not`);
    else if (a.headSha !== r.headSha) out.push(`the PR record holds ${what} by ${r.by} of ${r.headSha.slice(0, 12)}; the audit log says ${a.headSha.slice(0, 12)}`);
  }
  for (const by of audited.keys()) {
    if (!seen.has(by)) out.push(`the audit log holds ${what} by ${by} that the PR record lacks`);
  }
}
