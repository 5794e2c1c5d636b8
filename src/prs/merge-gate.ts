import { gatesFor, type Gates } from "../policy/gates.ts";
import type { Policy } from "../policy/policy-schema.ts";
import type { PullRequest } from "./pr-types.ts";

export interface GateResult {
  ok: boolean;
  gates: Gates | null;
  /** What still stands between the PR and a merge, one line each: what and how to get it. */
  missing: string[];
}

/**
 * Whether the PR may merge now, from its exact head: checks green on that SHA, the ReviewAgent's
 * approval of that SHA under the current policy, and the tier's approvals by people other than the
 * one who asked for the change. Pure: the same PR and policy always give the same answer.
 */
export function mergeGate(pr: PullRequest, policy: Policy, policyHash: string): GateResult {
  const missing: string[] = [];
  if (pr.checks.sha !== pr.headSha || pr.checks.state === "failed") missing.push(`checks passing on ${pr.headSha.slice(0, 12)}`);
  const review = pr.review;
  if (!review || review.headSha !== pr.headSha) {
    missing.push("the ReviewAgent's verdict on this head (it reviews every new PR; see `pushpals jobs`)");
  } else if (review.policyHash !== policyHash) {
    missing.push("a review under the current policy (the policy changed since the verdict)");
  } else if (review.decision !== "approve") {
    const top = review.findings.filter((f) => f.severity !== "note").slice(0, 3).map((f) => `${f.rule}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ""})` : ""}`);
    missing.push(`the ReviewAgent's approval: it says ${review.decision}: ${top.join(", ")}`);
  }
  if (!pr.classification) return { ok: false, gates: null, missing: [...missing, "a risk classification (made by the review)"] };
  const gates = gatesFor(pr.classification, policy);
  const rejected = (pr.rejections ?? []).filter((r) => r.headSha === pr.headSha);
  if (rejected.length > 0) missing.push(`no rejection: ${rejected.map((r) => `${r.by} rejected it${r.why ? ` (${r.why})` : ""}`).join("; ")}`);
  const approvers = new Set((pr.approvals ?? []).filter((a) => a.headSha === pr.headSha && a.by !== pr.createdBy).map((a) => a.by));
  if (approvers.size < gates.requiredApprovals) {
    missing.push(`${gates.requiredApprovals - approvers.size} more approval(s) of ${pr.headSha.slice(0, 12)} by someone other than ${pr.createdBy} (pushpals approve ${pr.number})`);
  }
  if (gates.requireRfc) missing.push("an approved RFC (High risk); the RFC flow is not built yet: set high.require_rfc = false to gate High changes on approvals only");
  return { ok: missing.length === 0, gates, missing };
}
