import { defineKind } from "../common/define-kind.ts";
import { ResolveConflictInput, ResolveConflictResult } from "./resolve-conflict-input.ts";

/**
 * The Conflict Resolver's job (created only by dispatch, from a `pr_conflict` item): the base merged into
 * the PR's head in a job checkout, each conflicted file resolved by its strategy, the result committed
 * (a merge commit), checked on the exact commit, and made the PR's new head by compare-and-swap; its
 * success records that head on the PR (a fresh review; approvals of the old head no longer count).
 */
export const resolveConflictKind = defineKind({
  id: "resolve-conflict",
  summary: "merge a PR's base into it, resolve the conflicts by strategy (lockfile, JSON, changelog, rerere), check, and update the PR",
  input: ResolveConflictInput,
  result: ResolveConflictResult,
  createdBy: "server",
  role: "worker",
  // The lockfile's regeneration reaches the registries through the install sandbox's egress proxy.
  network: false,
  handler: async (input, ctx) => (await import("./resolve-conflict-handler.ts")).resolveConflict(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.resolvedConflict(ctx, job);
  },
});
