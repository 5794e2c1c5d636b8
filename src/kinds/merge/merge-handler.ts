import { failpoint } from "../../faults/failpoint.ts";
import type { MergeInput } from "./merge-input.ts";
import { routes } from "../../api/routes.ts";
import { classifyRisk } from "../../policy/classify-risk.ts";
import { classificationInputFromGit } from "../../policy/from-git.ts";
import { loadPrPolicy } from "../../policy/load-policy-at.ts";
import { tierRank } from "../../core/risk-tier.ts";
import { providerById } from "../../providers/registry.ts";
import { publishPr } from "../../providers/common/publish.ts";
import { connectRemote } from "../common/remote-provider.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import { checkPassed, type MergeOutcome, type PrChecks } from "../../prs/pr-types.ts";
import { compareAndSwapBranch, isAncestor, resolveCommit, worktreesWithBranch } from "../../scm/branches.ts";
import { rebaseOnto } from "../../scm/rebase.ts";
import { git } from "../../scm/git.ts";
import { removeCheckout, removeJobWorktrees } from "../../scm/worktree.ts";
import { checkCommit } from "../common/check-commit.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";

/** What an attempt records (as job progress) right before it moves the base ref. */
interface MergeIntent {
  step: "merging";
  base: string;
  candidate: string;
  checks: PrChecks;
  rebased: boolean;
}

const short = (sha: string) => sha.slice(0, 12);

/**
 * `merge`, run by the SourceControlManager: replays the PR onto the latest base in a job checkout,
 * runs the checks on a fresh checkout of that exact commit, and moves the base branch by compare-and-swap. If the base
 * moved meanwhile it starts over (bounded). The user's checkout, index and files are never touched.
 *
 * Crash consistency: the intent (base, candidate) is stored before the ref moves. A new attempt that
 * finds the base at the recorded candidate knows the ref moved and only reports it, so the base is
 * always either the old commit or exactly the checked candidate, and the PR ends up agreeing with it.
 */
export async function mergePr(input: MergeInput, ctx: JobContext): Promise<MergeOutcome> {
  const id = input.remote?.provider ?? ctx.config.pr.provider;
  if (providerById(id).remote) return mergeRemotely(ctx, input, id);
  return mergeLocally(ctx, input);
}

async function mergeLocally(ctx: JobContext, input: MergeInput): Promise<MergeOutcome> {
  const repo = ctx.paths.repoRoot;
  const baseRef = `refs/heads/${input.baseBranch}`;
  const current = await resolveCommit(repo, baseRef);
  if (!current) throw new JobFailure("invalid_input", `the base branch ${input.baseBranch} does not exist any more`, { command: `git rev-parse ${baseRef}` });

  // An earlier attempt that died (kill -9, lost lease) may have left its worktree: it is ours to clear.
  await removeJobWorktrees(ctx.paths, ctx.job.id);
  const intent = ctx.job.progress as Partial<MergeIntent> | null;
  if (intent?.step === "merging" && intent.candidate === current && intent.base && intent.checks) {
    ctx.log("system", `an earlier attempt already moved ${input.baseBranch} to ${short(current)}: recording the merge`);
    return outcome(ctx, input.baseBranch, { base: intent.base, candidate: current, checks: intent.checks, rebased: intent.rebased ?? false });
  }
  await assertGate(ctx, input);
  if (await isAncestor(repo, input.headSha, current)) {
    ctx.log("system", `${short(input.headSha)} is already on ${input.baseBranch}: nothing to move`);
    return outcome(ctx, input.baseBranch, { base: current, candidate: current, checks: { state: "none", sha: current, results: [] }, rebased: false });
  }

  for (let round = 1; round <= input.maxRounds; round++) {
    const base = (await resolveCommit(repo, baseRef)) ?? current;
    // A fast-forward lands the head's whole history: only when the commit it was made on is already on the base.
    const fastForward = (await isAncestor(repo, base, input.headSha)) && (await isAncestor(repo, input.baseSha, base));
    const toRun = await checksAtBase(repo, base);
    // The PR's own checks already cover a fast-forward to its head when they ran the same commands.
    const reuse = fastForward && coversCommands(input.headChecks, input.headSha, toRun.commands, base) ? input.headChecks : null;
    let candidate = input.headSha;
    let rebased = false;
    if (!fastForward && (await containsMerges(repo, input.baseSha, input.headSha))) {
      // A Conflict Resolver's merge of the base: a rebase would replay the PR's own commits and drop the
      // reviewed resolution. It is resolved again onto the moved base instead (a `conflict` is its follow-up).
      throw new JobFailure("conflict", `PR #${input.prNumber} contains a merge of ${input.baseBranch}, which moved on since (now ${short(base)}): its conflicts are resolved again onto the new base`, {
        command: `git rev-list --merges ${input.baseSha}..${input.headSha}`,
      });
    }
    if (!fastForward) {
      const scratch = await jobCheckout(ctx, input.headSha, "rebase");
      try {
        ctx.log("system", `$ git rebase --onto ${short(base)} ${short(input.baseSha)}    # PR #${input.prNumber} onto ${input.baseBranch}`);
        const r = await rebaseOnto(scratch, base, input.baseSha);
        if (!r.ok) {
          throw new JobFailure("conflict", `PR #${input.prNumber} conflicts with ${input.baseBranch} at ${short(base)} in: ${r.conflicts.join(", ") || "(see the log)"}`, {
            command: `git rebase --onto ${base} ${input.baseSha}`,
            logExcerpt: [`conflicting files: ${r.conflicts.join(", ")}`, r.message].join("\n"),
            paths: r.conflicts.slice(0, 1000),
          });
        }
        candidate = r.commit;
        rebased = true;
      } finally {
        removeCheckout(scratch);
      }
    }
    await assertCandidateTier(ctx, input, base, candidate);
    let checks: PrChecks;
    if (reuse) {
      checks = reuse;
      ctx.log("system", `fast-forward to ${short(candidate)}, whose checks passed with the configured commands: not run again`);
    } else {
      ctx.log("system", `checking the exact merge candidate ${short(candidate)}`);
      checks = await checkCommit(ctx, { commit: candidate, ...toRun }, { tolerateBase: base });
    }
    const planned: MergeIntent = { step: "merging", base, candidate, checks, rebased };
    // Decisions can change while the checks run (a rejection): the gate is asked again right before the ref moves.
    await assertGate(ctx, input);
    await ctx.progress(planned);
    // `pushpals pause` stops merges at once: the job goes back to the queue and redoes its checks later.
    // Asked last, so only a pause landing during the local update-ref itself is too late.
    if (await ctx.isPaused()) throw new JobParked("paused before moving the base branch; it resumes with `pushpals resume`");
    await failpoint("merge.before-update-ref");
    if (await compareAndSwapBranch(repo, input.baseBranch, candidate, base, `pushpals: merge PR #${input.prNumber} (job ${ctx.job.id})`)) {
      ctx.log("system", `${input.baseBranch}: ${short(base)} -> ${short(candidate)}`);
      await failpoint("merge.after-update-ref");
      return outcome(ctx, input.baseBranch, planned);
    }
    const moved = await resolveCommit(repo, baseRef);
    ctx.log("system", `${input.baseBranch} moved from ${short(base)} to ${moved ? short(moved) : "(deleted)"} during the checks; starting over (round ${round} of ${input.maxRounds})`);
  }
  throw new JobFailure("conflict", `${input.baseBranch} moved during each of ${input.maxRounds} merge rounds; PR #${input.prNumber} was not merged`, {
    command: `git update-ref ${baseRef}`,
  });
}

/**
 * On a remote provider the host merges, bound to the exact head SHA that passed the checks here (the
 * host refuses if the branch moved: `conflict`). A retried attempt that finds the PR already merged reports it.
 */
async function mergeRemotely(ctx: JobContext, input: MergeInput, providerId: string): Promise<MergeOutcome> {
  const checks = input.headChecks;
  const base = (await resolveCommit(ctx.paths.repoRoot, `refs/heads/${input.baseBranch}`)) ?? input.baseSha;
  const required = await checksAtBase(ctx.paths.repoRoot, base);
  // The host merges without running anything here: the PR's own checks must be the committed config's, passed.
  if (!checks || checks.sha !== input.headSha || checks.state === "failed" || !(required.commands.length === 0 || coversCommands(checks, input.headSha, required.commands, base))) {
    throw new JobFailure("policy_denied", `PR #${input.prNumber}: the checks of the config committed at ${input.baseBranch} did not pass on its head ${short(input.headSha)}, so it is not merged`, {});
  }
  // Connected (and its credential resolved) only once the merge can go ahead.
  const remote = (await connectRemote(ctx, providerId))!;
  const published = await publishPr(providerId, remote, ctx.paths.repoRoot, {
    headBranch: input.headBranch,
    headSha: input.headSha,
    baseBranch: input.baseBranch,
    title: input.title,
    body: input.body,
    expectedRemoteSha: input.remote?.pushedSha ?? null,
  }, (line) => ctx.log("system", line));
  const state = await remote.host.get(published.number);
  if (state.merged) {
    ctx.log("system", `${remote.label} PR #${published.number} is already merged`);
    return { mergedSha: state.headSha, previousBaseSha: null, checks, rebased: false, checkedOutAt: [] };
  }
  if (await ctx.isPaused()) throw new JobParked(`paused before asking ${remote.label} to merge; it resumes with \`pushpals resume\``);
  await assertGate(ctx, input);
  const merged = await remote.host.merge(published.number, input.headSha, remote.mergeMethod);
  ctx.log("system", `${remote.label} merged PR #${published.number} as ${short(merged.sha)} (${remote.mergeMethod})`);
  return { mergedSha: merged.sha, previousBaseSha: null, checks, rebased: false, checkedOutAt: [] };
}

/**
 * The third classification, on the final merged candidate: a rebase can change what the change does
 * (its diff against the new base), and the tier may rise, never fall. A candidate riskier than the PR
 * that was reviewed and approved is not merged.
 */
async function assertCandidateTier(ctx: JobContext, input: MergeInput, base: string, candidate: string): Promise<void> {
  const { pr } = await ctx.read(routes.getPr, { params: { number: input.prNumber } });
  if (!pr.classification) return;
  const { policy } = await loadPrPolicy(ctx.paths.repoRoot, input.baseSha, input.baseBranch);
  const now = classifyRisk(await classificationInputFromGit(ctx.paths.repoRoot, base, candidate, pr.risk), policy);
  if (tierRank(now.tier) <= tierRank(pr.classification.tier)) return;
  const rules = now.reasons.filter((r) => tierRank(r.tier) > tierRank(pr.classification!.tier)).map((r) => r.rule);
  throw new JobFailure("policy_denied", `rebased onto ${short(base)}, PR #${input.prNumber} becomes ${now.tier} risk (${rules.join(", ")}), above the ${pr.classification.tier} it was reviewed at`, {
    logExcerpt: now.reasons.map((r) => `${r.tier} ${r.rule}: ${r.message}`).join("\n"),
  });
}

/** The policy gate of the PR's exact head (checks, review verdict, approvals, tier), as the server evaluates it. */
async function assertGate(ctx: JobContext, input: MergeInput): Promise<void> {
  const gate = await ctx.read(routes.prGate, { params: { number: input.prNumber }, query: { head: input.headSha, base: input.baseBranch, baseSha: input.baseSha } });
  if (gate.ok) return;
  throw new JobFailure("policy_denied", `PR #${input.prNumber} may not merge yet (${gate.gates?.tier ?? "unclassified"} risk): ${gate.missing.join("; ")}`.slice(0, 4000), {
    logExcerpt: gate.missing.join("\n"),
  });
}

/** The checks ran exactly these commands on `sha`, and each passed or (`base_red`) fails on `base` the same way. */
function coversCommands(checks: PrChecks | undefined, sha: string, commands: { name: string; run: string }[], base: string): checks is PrChecks {
  if (!checks || checks.sha !== sha || commands.length === 0) return false;
  // Failures tolerated because the base had them count only against that same base.
  if (checks.state !== "passed" && !(checks.state === "base_red" && checks.baseRed?.sha === base)) return false;
  const tolerated = new Set(checks.baseRed?.checks ?? []);
  return checks.results.length === commands.length && commands.every((c, i) => checks.results[i]?.run === c.run && (checkPassed(checks.results[i]!) || tolerated.has(c.name)));
}

async function outcome(ctx: JobContext, baseBranch: string, merged: Omit<MergeIntent, "step">): Promise<MergeOutcome> {
  return {
    mergedSha: merged.candidate,
    previousBaseSha: merged.base,
    checks: merged.checks,
    rebased: merged.rebased,
    checkedOutAt: await worktreesWithBranch(ctx.paths.repoRoot, baseBranch, ctx.paths.runtimeDir),
  };
}

async function containsMerges(repoRoot: string, from: string, to: string): Promise<boolean> {
  const r = await git(["rev-list", "--merges", "-n", "1", `${from}..${to}`], { cwd: repoRoot, allowFailure: true });
  return r.exitCode === 0 && r.stdout.trim() !== "";
}
