import { maxTier } from "../core/risk-tier.ts";
import { PushpalsError } from "../core/errors.ts";
import type { JobService } from "../jobs/job-service.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import type { WriteContext } from "../jobs/transition.ts";
import { isTerminal } from "../jobs/states.ts";
import { raiseOnly } from "../policy/tiers.ts";
import { mergeDedupeKey, mergeInputFor } from "./merge-request.ts";
import { MergeOutcome, PrProposal, RemotePr, ReviewOutcome, type PullRequest } from "./pr-types.ts";
import type { PrState } from "../store/prs/pr-rows.ts";
import { auditedDecisions, DECISION_ACTIONS, type AuditedDecisions } from "./audited-decisions.ts";
import { pullRequests } from "./pr-store.ts";
import { decide, mergeFindings } from "../review/run-review.ts";
import type { Verdict } from "../review/review-types.ts";

function grownVerdict(earlier: Verdict, later: Verdict): Verdict {
  const findings = mergeFindings(earlier.findings, later.findings);
  return { ...later, findings, decision: decide(findings) };
}

/** The fields of a change job's input (a `run`) that the PR it opens is recorded from. */
interface ChangeRequest {
  baseBranch: string;
  baseCommit: string;
  risk: PrProposal["risk"];
  role: string;
  scope: string[];
  rfcFor?: string | null;
  rfc?: number | null;
  updatePr?: { number: number } | null;
}

/** A decision names the head the person was shown: a PR that moved on since is not what they decided on. */
function assertShownHead(pr: PullRequest, head: string, what: "approve" | "reject" | "merge"): void {
  if (head === pr.headSha) return;
  throw new PushpalsError("conflict", `PR #${pr.number}'s head moved from ${head.slice(0, 12)} (what you were shown) to ${pr.headSha.slice(0, 12)}: nothing was recorded`, {
    hint: `look at the new head (pushpals pr ${pr.number} --diff), then ${what} again`,
  });
}

export interface PrProviderRef {
  id: string;
  remote: boolean;
}

/**
 * Pull requests, kept in the store (and, with a remote provider, published to its host). The job kinds'
 * effects call `open`, `reviewed`, `published` and `mergeTransition` inside the transaction of their
 * job's transition, so a PR's state never disagrees with its jobs (and, through the SCM's
 * compare-and-swap, with the base ref).
 */
export class PrService {
  constructor(
    private readonly jobs: JobService,
    /** The configured PR provider; a remote one keeps PRs on a host too, so every new head is published there. */
    private readonly provider: PrProviderRef,
  ) {}

  /** A merge job's transitions: the PR shows the running merge, records its success or its failure. */
  mergeTransition(ctx: WriteContext, job: Job): void {
    const number = (job.input as { prNumber: number }).prNumber;
    const pr = pullRequests(ctx.store).getPullRequest(number);
    if (!pr) return;
    if (job.state === "running" && pr.mergeJobId !== job.id) {
      pullRequests(ctx.store).updatePullRequest({ ...pr, mergeJobId: job.id, updatedAt: ctx.now });
    }
    if (job.state === "succeeded") this.merged(ctx, job, pr);
    if (job.state === "failed" || job.state === "cancelled") {
      const message = job.failure?.message ?? "cancelled";
      pullRequests(ctx.store).updatePullRequest({ ...pr, lastMergeFailure: `${job.failure?.class ?? "cancelled"}: ${message}`, updatedAt: ctx.now });
      ctx.emit("pr.merge_failed", job.id, { number, jobId: job.id, failureClass: job.failure?.class, message });
      ctx.audit("scm", "pr.merge_failed", `pr#${number}`, { jobId: job.id, failure: job.failure });
    }
  }

  /** A change job succeeded with a PR proposal: the PR opens (or, for `run --pr`, takes the new head) in that transaction. */
  open(ctx: WriteContext, job: Job): void {
    const result = job.result as { pr?: unknown; updates?: number } | null;
    if (result?.pr === undefined || pullRequests(ctx.store).getPullRequestByJob(job.id)) return;
    const parsed = PrProposal.safeParse(result.pr);
    if (!parsed.success) throw new PushpalsError("invalid_input", `result.pr: ${parsed.error.issues[0]?.message ?? "invalid"}`, { field: "result.pr" });
    // What the change was asked to be (base, scope, risk, role, RFC) is the job's input, not the worker's report of
    // it; the report may only raise the risk (the Dependency Steward's lockfile check), never lower it.
    const asked = job.input as ChangeRequest;
    const proposal: PrProposal = { ...parsed.data, baseSha: asked.baseCommit, baseBranch: asked.baseBranch, risk: maxTier(asked.risk, parsed.data.risk), role: asked.role, scope: asked.scope, rfcFor: asked.rfcFor ?? null, rfc: asked.rfc ?? null };
    if (asked.updatePr) return this.updated(ctx, job, asked.updatePr.number, proposal);
    const pr = pullRequests(ctx.store).insertPullRequest({
      ...proposal,
      provider: this.provider.id,
      remote: null,
      state: "open",
      jobId: job.id,
      createdBy: job.createdBy,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      mergeJobId: null,
      merge: null,
      lastMergeFailure: null,
      closedReason: null,
      review: null,
      classification: null,
      approvals: [],
      rejections: [],
    });
    ctx.emit("pr.opened", job.id, { number: pr.number, jobId: job.id, title: pr.title, headSha: pr.headSha, baseBranch: pr.baseBranch });
    ctx.audit("scm", "pr.opened", `pr#${pr.number}`, { jobId: job.id, headSha: pr.headSha, baseSha: pr.baseSha, files: pr.files.map((f) => f.path), checks: pr.checks.state });
    if (this.provider.remote) this.publish(ctx, pr);
    this.requestReview(ctx, pr);
  }

  /** Every new head gets a review by the ReviewAgent, queued in the transaction that recorded the head. */
  /**
   * The policy a PR is judged under changed since its head was reviewed (the base gained a rule): the
   * head is reviewed again, so its verdict and tier reflect the rule. Returns the review job.
   */
  rereview(number: number): Job {
    return this.jobs.record((ctx) => this.requestReview(ctx, this.get(number)));
  }

  private requestReview(ctx: WriteContext, pr: PullRequest): Job {
    const input = { prNumber: pr.number, headSha: pr.headSha, baseSha: pr.baseSha, baseBranch: pr.baseBranch, declaredRisk: pr.risk, role: pr.role ?? null, scope: pr.scope, checks: { state: pr.checks.state, sha: pr.checks.sha, ...(pr.checks.baseRed ? { baseRed: pr.checks.baseRed } : {}) } };
    return this.jobs.enqueueWithin(ctx, { kind: "review", input, actor: "scm", dedupeKey: `review:${pr.number}:${pr.headSha}`, priority: 5 }).job;
  }

  /** The ReviewAgent's verdict on a head: recorded on the PR if it is still the head; Low auto-merge queues the merge. */
  reviewed(ctx: WriteContext, job: Job): void {
    const input = job.input as { prNumber: number; headSha: string };
    const pr = pullRequests(ctx.store).getPullRequest(input.prNumber);
    const parsed = ReviewOutcome.safeParse(job.result);
    if (!pr || !parsed.success) throw new PushpalsError("invalid_input", `result: ${parsed.error?.issues[0]?.message ?? "no such PR"}`, { field: "result" });
    if (parsed.data.verdict.headSha !== input.headSha) throw new PushpalsError("invalid_input", `result.verdict: it is for ${parsed.data.verdict.headSha.slice(0, 12)}, not the head ${input.headSha.slice(0, 12)} this review was asked for`, { field: "result.verdict.headSha" });
    if (pr.headSha !== input.headSha) return;
    const { classification, autoMerge } = parsed.data;
    // A head's findings only grow: a later verdict on the same head adds to the earlier one, never replaces it.
    const verdict = pr.review?.headSha === parsed.data.verdict.headSha ? grownVerdict(pr.review, parsed.data.verdict) : parsed.data.verdict;
    // The tier can rise along the way, never fall.
    const risk = pr.classification ? raiseOnly(pr.classification, classification) : classification;
    pullRequests(ctx.store).updatePullRequest({ ...pr, review: verdict, classification: risk, updatedAt: ctx.now });
    ctx.audit("review-agent", "pr.reviewed", `pr#${pr.number}`, { headSha: verdict.headSha, decision: verdict.decision, policyHash: verdict.policyHash, tier: risk.tier, findings: verdict.findings.length });
    if (!autoMerge || verdict.decision !== "approve" || risk.tier !== "low" || pr.state !== "open") return;
    // Low risk with auto_merge on: the SourceControlManager merges it now (the gate is checked again there).
    this.jobs.enqueueWithin(ctx, { kind: "merge", input: mergeInputFor(pr), actor: "review-agent", dedupeKey: mergeDedupeKey(pr), priority: 10 });
    ctx.audit("review-agent", "pr.auto_merge", `pr#${pr.number}`, { headSha: pr.headSha, tier: risk.tier });
  }

  /**
   * `pushpals approve|reject`: a person's decision on the head they were shown (`head`): refused once the
   * PR has moved on. The requester cannot approve their own change. An approval counts for that head
   * only; a rejection stands across new heads until the person who gave it approves a head.
   */
  decide(number: number, actor: string, decision: "approve" | "reject", why: string | null, head: string): PullRequest {
    return this.jobs.record((ctx) => {
      const pr = this.get(number);
      if (pr.state !== "open") throw new PushpalsError("conflict", `pull request #${number} is ${pr.state}`, { hint: "only an open PR can be approved or rejected" });
      assertShownHead(pr, head, decision);
      if (decision === "approve" && actor === pr.createdBy) {
        throw new PushpalsError("forbidden", `${actor} asked for PR #${number}, so cannot approve it too (separation of duties)`, {
          hint: "another person approves it: pushpals approve from their own account",
        });
      }
      const entry = { by: actor, at: ctx.now, headSha: pr.headSha, why };
      const rejections = (pr.rejections ?? []).filter((a) => a.by !== actor);
      const next: PullRequest =
        decision === "approve"
          ? { ...pr, approvals: [...(pr.approvals ?? []).filter((a) => a.by !== actor), entry], rejections, updatedAt: ctx.now }
          : { ...pr, rejections: [...rejections, entry], updatedAt: ctx.now };
      pullRequests(ctx.store).updatePullRequest(next);
      const lifted = decision === "approve" && rejections.length < (pr.rejections ?? []).length;
      ctx.audit(actor, DECISION_ACTIONS[decision], `pr#${number}`, { headSha: pr.headSha, why, ...(lifted ? { liftedOwnRejection: true } : {}) });
      return next;
    });
  }

  /**
   * `pushpals pr merge`: a person asks to land the head they were shown. The server builds the merge
   * job from the PR record (never from the request); the gate is checked again by the SourceControlManager.
   */
  requestMerge(number: number, actor: string, head: string): { job: Job; deduped: boolean } {
    return this.jobs.record((ctx) => {
      const pr = this.get(number);
      if (pr.state !== "open") throw new PushpalsError("conflict", `pull request #${number} is ${pr.state}`, { hint: pr.state === "merged" ? "it is already merged" : "only an open PR can be merged" });
      assertShownHead(pr, head, "merge");
      const queued = this.jobs.enqueueWithin(ctx, { kind: "merge", input: mergeInputFor(pr), actor, dedupeKey: mergeDedupeKey(pr), priority: 10 });
      if (!queued.deduped) ctx.audit(actor, "pr.merge_requested", `pr#${number}`, { headSha: pr.headSha, jobId: queued.job.id });
      return queued;
    });
  }

  /**
   * A `run --pr N` job added a commit to the PR: the new head replaces the old one, so the old head's
   * review and approvals no longer count (they stay in the record, bound to the SHA they were for), and
   * the new head gets its own review (and publish).
   */
  private updated(ctx: WriteContext, job: Job, number: number, proposal: PrProposal): void {
    const pr = pullRequests(ctx.store).getPullRequest(number);
    if (!pr || pr.state !== "open") throw new PushpalsError("conflict", `pull request #${number} is not open any more`, { hint: "open a new PR instead" });
    const files = new Map(pr.files.map((f) => [f.path, f]));
    for (const f of proposal.files) files.set(f.path, f);
    const next: PullRequest = { ...pr, headSha: proposal.headSha, checks: proposal.checks, files: [...files.values()], review: null, rfc: proposal.rfc ?? pr.rfc, updatedAt: ctx.now };
    pullRequests(ctx.store).updatePullRequest(next);
    ctx.emit("pr.updated", job.id, { number, jobId: job.id, headSha: next.headSha, previousHeadSha: pr.headSha });
    ctx.audit("scm", "pr.updated", `pr#${number}`, { jobId: job.id, headSha: next.headSha, previousHeadSha: pr.headSha, voidedApprovals: (pr.approvals ?? []).filter((a) => a.headSha === pr.headSha).map((a) => a.by) });
    if (this.provider.remote) this.publish(ctx, next);
    this.requestReview(ctx, next);
  }

  /**
   * A Conflict Resolver's success: the PR takes the resolved head and the base it was merged with (its
   * diff is now against that base), a fresh review, and no merge failure; approvals of the old head no
   * longer count. Only from the head the job was dispatched on: a PR that moved since is left alone.
   */
  resolvedConflict(ctx: WriteContext, job: Job): void {
    const result = job.result as { pr?: unknown; files?: unknown[] } | null;
    const asked = job.input as { prNumber: number; headSha: string; baseBranch: string; baseCommit: string };
    if (result?.pr === undefined) {
      // Nothing to resolve (the PR already contains its base): its conflict marks go, so it is not filed again.
      const pr = pullRequests(ctx.store).getPullRequest(asked.prNumber);
      if (pr && pr.state === "open" && pr.headSha === asked.headSha && (result?.files ?? []).length === 0 && (pr.lastMergeFailure?.startsWith("conflict:") || pr.conflict)) {
        pullRequests(ctx.store).updatePullRequest({ ...pr, lastMergeFailure: null, conflict: null, updatedAt: ctx.now });
        ctx.audit("scm", "pr.conflict_gone", `pr#${pr.number}`, { jobId: job.id });
      }
      return;
    }
    const parsed = PrProposal.safeParse(result.pr);
    if (!parsed.success) throw new PushpalsError("invalid_input", `result.pr: ${parsed.error.issues[0]?.message ?? "invalid"}`, { field: "result.pr" });
    const pr = pullRequests(ctx.store).getPullRequest(asked.prNumber);
    if (!pr || pr.state !== "open" || pr.headSha !== asked.headSha || pr.baseBranch !== asked.baseBranch) throw new PushpalsError("conflict", `pull request #${asked.prNumber} is no longer open at ${asked.headSha.slice(0, 12)}: the resolution is not recorded`);
    const { headSha, checks, files, body } = parsed.data;
    const next: PullRequest = { ...pr, headSha, baseSha: asked.baseCommit, checks, files, body, review: null, lastMergeFailure: null, conflict: null, risk: maxTier(pr.risk, parsed.data.risk), updatedAt: ctx.now };
    pullRequests(ctx.store).updatePullRequest(next);
    ctx.emit("pr.updated", job.id, { number: pr.number, jobId: job.id, headSha, previousHeadSha: pr.headSha });
    ctx.audit("scm", "pr.updated", `pr#${pr.number}`, { jobId: job.id, headSha, previousHeadSha: pr.headSha, resolvedConflicts: true, baseSha: asked.baseCommit, voidedApprovals: (pr.approvals ?? []).filter((a) => a.headSha === pr.headSha).map((a) => a.by) });
    if (this.provider.remote) this.publish(ctx, next);
    this.requestReview(ctx, next);
  }

  /** Queues the push and remote PR for the SourceControlManager, in the transaction that opened the PR. */
  private publish(ctx: WriteContext, pr: PullRequest): void {
    const input = { prNumber: pr.number, provider: this.provider.id, headBranch: pr.headBranch, headSha: pr.headSha, baseBranch: pr.baseBranch, title: pr.title, body: pr.body, expectedRemoteSha: pr.remote?.pushedSha ?? null };
    this.jobs.enqueueWithin(ctx, { kind: "publish", input, actor: "scm", dedupeKey: `publish:${pr.number}:${pr.headSha}`, priority: 5 });
  }

  published(ctx: WriteContext, job: Job): void {
    const number = (job.input as { prNumber: number }).prNumber;
    const pr = pullRequests(ctx.store).getPullRequest(number);
    const parsed = RemotePr.safeParse((job.result as { remote?: unknown } | null)?.remote);
    if (!pr || !parsed.success) throw new PushpalsError("invalid_input", "result.remote: not a remote PR", { field: "result.remote" });
    pullRequests(ctx.store).updatePullRequest({ ...pr, remote: parsed.data, updatedAt: ctx.now });
    ctx.audit("scm", "pr.published", `pr#${number}`, { jobId: job.id, ...parsed.data });
  }

  private merged(ctx: WriteContext, job: Job, pr: PullRequest): void {
    const parsed = MergeOutcome.safeParse(job.result);
    if (!parsed.success) throw new PushpalsError("invalid_input", `result: ${parsed.error.issues[0]?.message ?? "invalid merge outcome"}`, { field: "result" });
    if (pr.state === "merged") return;
    const outcome = parsed.data;
    pullRequests(ctx.store).updatePullRequest({ ...pr, state: "merged", merge: outcome, mergeJobId: job.id, lastMergeFailure: null, updatedAt: ctx.now });
    ctx.emit("pr.merged", job.id, { number: pr.number, jobId: job.id, mergedSha: outcome.mergedSha, previousBaseSha: outcome.previousBaseSha, baseBranch: pr.baseBranch });
    ctx.audit("scm", "pr.merged", `pr#${pr.number}`, { jobId: job.id, ...outcome });
    if (pr.rfcFor) this.rfcApproved(ctx, pr);
  }

  find(number: number): PullRequest | null {
    return pullRequests(this.jobs.store).getPullRequest(number);
  }

  /** Its RFC merged: the High directive is approved to go ahead (it still waits for a worker that can plan it). */
  private rfcApproved(ctx: WriteContext, pr: PullRequest): void {
    const directive = pr.rfcFor ? ctx.store.getJob(pr.rfcFor) : null;
    if (!directive || directive.state !== "blocked") return;
    const reason = `RFC approved (PR #${pr.number} merged); no worker can act on directives yet: RemoteAgent planning arrives in a later release`;
    ctx.store.updateJob({ ...directive, blockedReason: reason, updatedAt: ctx.now });
    ctx.audit("scm", "directive.rfc_approved", directive.id, { pr: pr.number, approvals: (pr.approvals ?? []).map((a) => a.by) });
  }

  /** People's decisions on the PR as the audit log records them, and where the PR record differs. */
  audited(pr: PullRequest): AuditedDecisions {
    return auditedDecisions(this.jobs.store, pr);
  }

  get(number: number): PullRequest {
    const pr = pullRequests(this.jobs.store).getPullRequest(number);
    if (!pr) throw new PushpalsError("not_found", `no pull request #${number}`, { hint: "list them with `pushpals prs`" });
    return pr;
  }

  list(filter: { state?: PrState; limit: number }): PullRequest[] {
    return pullRequests(this.jobs.store).listPullRequests(filter);
  }

  /** Closes an open PR; its branch is kept (closing never deletes work). */
  close(number: number, actor: string, reason: string): PullRequest {
    return this.jobs.record((ctx) => this.closeWithin(ctx, number, actor, reason));
  }

  /** `close`, inside a transaction already open (a scan's success superseding its own PR). */
  closeWithin(ctx: WriteContext, number: number, actor: string, reason: string): PullRequest {
    const pr = this.get(number);
    if (pr.state === "closed") return pr;
    if (pr.state === "merged") throw new PushpalsError("conflict", `pull request #${number} is already merged`, { hint: "revert it with a new change instead" });
    // A merge job is active from the moment it is queued (its dedupe key), not only once it runs.
    const active = ctx.store.findActiveJobByDedupeKey(mergeDedupeKey(pr)) ?? (pr.mergeJobId ? ctx.store.getJob(pr.mergeJobId) : null);
    if (active && !isTerminal(active.state)) {
      throw new PushpalsError("conflict", `pull request #${number} is being merged by job ${active.id}`, { hint: `cancel it first: pushpals cancel ${active.id}` });
    }
    const next: PullRequest = { ...pr, state: "closed", closedReason: reason, updatedAt: ctx.now };
    pullRequests(ctx.store).updatePullRequest(next);
    ctx.emit("pr.closed", null, { number, actor, reason });
    ctx.audit(actor, "pr.closed", `pr#${number}`, { reason, headSha: pr.headSha, headBranch: pr.headBranch });
    return next;
  }
}
