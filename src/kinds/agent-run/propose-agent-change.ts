import { JobFailure } from "../../core/job-failure.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { listWorktreeChanges } from "../../scm/changes.ts";
import type { JobCheckout } from "../../scm/worktree.ts";
import { configAt, type ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { proposeChange } from "../common/propose-change.ts";
import type { AgentRunInput } from "./agent-run-input.ts";
import { benchmarkGain, gainNote } from "./benchmark-gain.ts";
import { payoffNote, refactorPayoff } from "./refactor-payoff.ts";
import { reproduceFirst, reproductionNote } from "./reproduce-first.ts";

/**
 * What a model-backed run (the loop's or an agent CLI's) changed, as the PR: nothing changed is `no_change`;
 * else the scoped commit, the checks and the proposal, the PR saying what made it and at what cost; in
 * a specialist's mode, its definition of done (after the commit and its passing checks, before any PR opens).
 */
export async function proposeAgentChange(
  ctx: JobContext,
  checkout: JobCheckout,
  input: AgentRunInput,
  made: { nothing: string; usage: string; trailers: Record<string, string>; checks: ChecksAtBase; unpinned?: string },
): Promise<PrProposal> {
  const changed = await listWorktreeChanges(checkout);
  if (changed.length === 0) throw new JobFailure("no_change", `${made.nothing}: nothing to propose`, {});
  const { title, scope, maxFileBytes, risk, role, baseBranch, baseCommit, rfcFor, rfc } = input;
  const proposed = await proposeChange(ctx, checkout, {
    title,
    body: `${input.task}\n\n${made.usage}`,
    message: `${title}\n\n${made.usage}`,
    scope,
    maxFileBytes,
    risk,
    role,
    baseBranch,
    baseCommit,
    rfcFor,
    rfc,
    updatePr: null,
    checks: made.checks,
    trailers: made.trailers,
    unpinned: made.unpinned,
  });
  return { ...proposed, body: `${proposed.body}${await evidence(ctx, input, proposed, made.checks)}` };
}

/** The mode's definition of done, checked on the committed change (it throws when not met), as the PR's evidence. */
async function evidence(ctx: JobContext, input: AgentRunInput, proposed: PrProposal, checks: ChecksAtBase): Promise<string> {
  const { baseCommit } = input;
  switch (input.mode) {
    case "task":
      return "";
    case "bug_fix":
      return `\n\n${reproductionNote(await reproduceFirst(ctx, proposed, baseCommit, checks), baseCommit)}`;
    case "refactor":
      return `\n\n${payoffNote(await refactorPayoff(ctx.paths.repoRoot, proposed, baseCommit, checks))}`;
    case "performance": {
      const { benchmarks } = await configAt(ctx.paths.repoRoot, baseCommit, "its benchmarks");
      return `\n\n${gainNote(await benchmarkGain(ctx, proposed, baseCommit, checks, benchmarks))}`;
    }
  }
}
