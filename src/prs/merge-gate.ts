import { z } from "zod";
import { Gates, gatesFor } from "../policy/gates.ts";
import type { Policy } from "../policy/policy-schema.ts";
import type { PullRequest } from "./pr-types.ts";

/** Review rules whose `request_changes` means "a person must look": a person's approval of the head answers them. */
const APPROVAL_ANSWERS = new Set(["protected_path"]);

export const GateResult = z.object({
  ok: z.boolean(),
  gates: Gates.nullable(),
  /** What still stands between the PR and a merge, one line each: what and how to get it. */
  missing: z.array(z.string()),
});
export type GateResult = z.infer<typeof GateResult>;

/**
 * Whether the PR may merge now, from its exact head: checks green on that SHA, the ReviewAgent's
 * approval of that SHA under the current policy, and the tier's approvals by people other than the
 * one who asked for the change. Pure: the same PR and policy always give the same answer.
 */
export interface GateOptions {
  /** The PR's RFC (`pr.rfc`) is a merged RFC PR. */
  rfcApproved?: boolean;
  /** What the merge asking for the gate was made for: a PR that moved on since is not that merge's to land. */
  expected?: { head?: string; base?: string; baseSha?: string };
  /** Where the PR record's decisions differ from the audit log's (see `auditedDecisions`): each blocks the merge. */
  recordMismatches?: readonly string[];
  /** The audit log no longer extends its anchor: nothing merges on records that may have been rewritten. */
  auditDiverged?: string | null;
}

export function mergeGate(pr: PullRequest, policy: Policy, policyHash: string, options: GateOptions = {}): GateResult {
  const missing: string[] = [];
  const expected = options.expected ?? {};
  if (pr.state !== "open") missing.push(`an open PR: #${pr.number} is ${pr.state}`);
  if (expected.head && expected.head !== pr.headSha) missing.push(`the PR's head is now ${pr.headSha.slice(0, 12)}, not ${expected.head.slice(0, 12)}: merge the new head`);
  if ((expected.base && expected.base !== pr.baseBranch) || (expected.baseSha && expected.baseSha !== pr.baseSha)) {
    missing.push(`a merge into the PR's own base: it targets ${pr.baseBranch} from ${pr.baseSha.slice(0, 12)}`);
  }
  if (options.auditDiverged) missing.push(`an audit log that matches its anchor: ${options.auditDiverged}`);
  for (const mismatch of options.recordMismatches ?? []) {
    missing.push(`a PR record that matches the audit log: ${mismatch} (it was changed outside PushPals; run \`pushpals audit verify\`, and restore the database from a backup or close the PR)`);
  }
  if (pr.checks.sha !== pr.headSha || pr.checks.state === "failed") missing.push(`checks passing on ${pr.headSha.slice(0, 12)}`);
  const review = pr.review;
  if (!review || review.headSha !== pr.headSha) {
    missing.push("the ReviewAgent's verdict on this head (it reviews every new PR; see `pushpals jobs`)");
  } else if (review.policyHash !== policyHash) {
    missing.push("a review under the current policy (the policy changed since the verdict)");
  }
  if (!pr.classification) return { ok: false, gates: null, missing: [...missing, "a risk classification (made by the review)"] };
  const gates = gatesFor(pr.classification, policy);
  // A rejection stands across new heads: only the person who gave it lifts it (by approving a head).
  const rejected = pr.rejections ?? [];
  if (rejected.length > 0) {
    missing.push(`no rejection: ${rejected.map((r) => `${r.by} rejected it${r.headSha === pr.headSha ? "" : ` at ${r.headSha.slice(0, 12)}`}${r.why ? ` (${r.why})` : ""}`).join("; ")} (only they lift it: pushpals approve ${pr.number})`);
  }
  const approvers = new Set((pr.approvals ?? []).filter((a) => a.headSha === pr.headSha && a.by !== pr.createdBy).map((a) => a.by));
  if (review && review.headSha === pr.headSha && review.policyHash === policyHash && review.decision !== "approve") {
    // Findings that only ask for a person's look (a protected path) are answered by an approval; anything else is not.
    const open = review.findings.filter((f) => f.severity !== "note" && !(APPROVAL_ANSWERS.has(f.rule) && f.severity === "request_changes" && approvers.size > 0));
    if (open.length > 0) {
      const top = open.slice(0, 3).map((f) => `${f.rule}${f.file ? ` (${f.file}${f.line ? `:${f.line}` : ""})` : ""}`);
      missing.push(`the ReviewAgent's approval: it says ${review.decision}: ${top.join(", ")}`);
    }
  }
  // An RFC is approved by people, whatever its own diff's tier: merging it lets High code start.
  const required = pr.rfcFor ? Math.max(gates.requiredApprovals, policy.high.required_approvals) : gates.requiredApprovals;
  if (approvers.size < required) {
    missing.push(`${required - approvers.size} more approval(s) of ${pr.headSha.slice(0, 12)} by someone other than ${pr.createdBy} (pushpals approve ${pr.number})`);
  }
  if (gates.requireRfc && !options.rfcApproved) {
    missing.push(pr.rfc ? `RFC PR #${pr.rfc} merged (it is not yet)` : "an approved RFC (High risk): `pushpals ask --risk high` writes one as a PR; once it is merged, carry it out with `pushpals run --rfc <its PR>`");
  }
  return { ok: missing.length === 0, gates, missing };
}
