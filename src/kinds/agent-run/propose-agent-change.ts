import { JobFailure } from "../../core/job-failure.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { listWorktreeChanges } from "../../scm/changes.ts";
import type { JobCheckout } from "../../scm/worktree.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { proposeChange } from "../common/propose-change.ts";
import type { AgentRunInput } from "./agent-run-input.ts";
import { reproduceFirst, reproductionNote } from "./reproduce-first.ts";

/**
 * What a model-backed run (the loop's or an agent CLI's) changed, as the PR: nothing changed is `no_change`;
 * else the scoped commit, the checks and the proposal, the PR saying what made it and at what cost; in
 * `bug_fix` mode, the reproduction first (after the commit and its passing checks, before any PR opens).
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
  if (input.mode !== "bug_fix") return proposed;
  const reproduced = await reproduceFirst(ctx, proposed, baseCommit, made.checks);
  return { ...proposed, body: `${proposed.body}\n\n${reproductionNote(reproduced, baseCommit)}` };
}
