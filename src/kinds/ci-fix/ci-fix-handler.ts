import { allowedFixers, planCiFix, untrackedAt } from "../../ci-fixes/plan-ci-fix.ts";
import type { Fixer } from "../../ci-fixes/fixer-for.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { maxTier, type RiskTier } from "../../core/risk-tier.ts";
import { WORKER_TOOLS, withTools, type PackageManagerTools } from "../../deps/package-manager-tools.ts";
import { outOfMemoryFailure } from "../../sandbox/out-of-memory.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import type { ReadOnlyMount } from "../../sandbox/sandbox-spec.ts";
import { listWorktreeChanges } from "../../scm/changes.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { classifyCheckFailure } from "../common/check-failure-class.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import { ciFixBody, ciFixTitle } from "./ci-fix-body.ts";
import type { CiFixInput, CiFixResult } from "./ci-fix-input.ts";

/** A fixer rewrites files that are already in the repository: their size is the repository's, not a new file's. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const short = (sha: string) => sha.slice(0, 12);

/**
 * `ci-fix`: in a fresh checkout of the red commit with its dependencies prepared as for its checks, runs
 * the repository's own fixer in the sandbox (the command re-planned here from the committed package.json,
 * so the input cannot choose another), lists what it changed with host git (never the checkout's own
 * `.git`), and proposes that like any change: scoped commit, every configured check on the exact commit,
 * the PR. Low only when every changed file is one the failure named; a fixer that changes nothing fails
 * (`checks_failed`: a person has to fix it); the check it fixes must pass on the commit, the base being
 * red with it is no excuse.
 */
export async function fixCheck(input: CiFixInput, ctx: JobContext): Promise<CiFixResult> {
  const repo = ctx.paths.repoRoot;
  const { check, baseCommit } = input;
  const toRun = await checksAtBase(repo, baseCommit);
  if (!toRun.commands.some((c) => c.name === check.name && c.run === check.run)) {
    throw new JobFailure("invalid_input", `${check.name} (\`${check.run}\`) is not a check of the config committed at ${short(baseCommit)}: a ci-fix fixes configured checks only`, { command: check.run });
  }
  if (input.fixer === null) input = await plannedHere(repo, input);
  const untracked = await untrackedAt(repo, baseCommit, input.files);
  if (untracked.length > 0) throw new JobFailure("invalid_input", `not tracked at ${short(baseCommit)}: ${untracked.slice(0, 10).join(", ")}: the files must be ones the failure named`, { paths: untracked.slice(0, 1000) });
  const fixer = await committedFixer(repo, input);

  const checkout = await jobCheckout(ctx, baseCommit);
  try {
    await ctx.progress({ step: "dependencies" }).catch(() => {});
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, toRun.install);
    await ctx.progress({ step: "fixer" }).catch(() => {});
    ctx.log("system", `$ ${fixer.command}    # the fixer of ${check.name}: ${fixer.why}`);
    const ran = await runFixer(ctx, input, fixer, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools });
    if (await ctx.isPaused()) throw new JobParked("paused after the fixer; the job runs again with `pushpals resume`");

    const changes = await listWorktreeChanges(checkout);
    const changed = [...new Set(changes.flatMap((c) => (c.oldPath ? [c.oldPath, c.path] : [c.path])))].sort();
    if (changed.length === 0) {
      const how = ran.exitCode === 0 ? "" : ` (it exited ${ran.exitCode ?? ran.signal})`;
      throw new JobFailure("checks_failed", `the fixer changed nothing${how}: what fails ${check.name} is not something \`${fixer.command}\` can fix, so it needs a person`, ran.evidence);
    }
    const named = new Set(input.files);
    const outside = input.files.length === 0 ? changed : changed.filter((p) => !named.has(p));
    const risk: RiskTier = maxTier(input.risk, input.files.length > 0 && outside.length === 0 ? "low" : "medium");
    ctx.log("system", `the fixer changed ${changed.length} file(s)${outside.length > 0 ? `, ${outside.length} of them not named by the failure` : ", all named by the failure"}: ${risk}`);
    if (ran.exitCode !== 0) ctx.log("system", `the fixer exited ${ran.exitCode ?? ran.signal}: what it could not fix is left for the checks to find`);

    const title = ciFixTitle(check.name, fixer.command);
    const body = ciFixBody({ check, baseBranch: input.baseBranch, baseCommit, fixer: fixer.command, why: fixer.why, files: input.files, changed, outside, risk, failureExcerpt: input.failureExcerpt, exitCode: ran.exitCode });
    const pr = await proposeChange(ctx, checkout, {
      title,
      body,
      message: `${title}\n\n${fixer.why}.\n${changed.slice(0, 50).map((p) => `- ${p}`).join("\n")}`,
      scope: input.scope,
      maxFileBytes: MAX_FILE_BYTES,
      risk,
      role: input.role,
      baseBranch: input.baseBranch,
      baseCommit,
      rfcFor: null,
      rfc: null,
      updatePr: null,
      checks: toRun,
    });
    // proposeChange lets a change through whose checks fail on its base the same way (the base is red):
    // for a fix that is exactly the failure it was meant to remove.
    const own = pr.checks.results.find((r) => r.name === check.name && r.run === check.run);
    if (!own || own.exitCode !== 0 || own.signal) {
      throw new JobFailure("checks_failed", `${check.name} still fails after \`${fixer.command}\` (exit ${own?.exitCode ?? own?.signal ?? "none"}): the fixer fixed part of it at most; the rest needs a person (the change is kept on ${pr.headBranch}; no PR was opened)`, {
        command: check.run,
        ...(own ? { exitCode: own.exitCode, signal: own.signal, durationMs: own.durationMs } : {}),
      });
    }
    return { pr, fixer: fixer.command, changed: changed.slice(0, 1000), outside: outside.slice(0, 1000), exitCode: ran.exitCode };
  } finally {
    removeCheckout(checkout);
  }
}

/** The fixer and the failure's files planned from the committed files (the CI Medic asks without a plan). */
async function plannedHere(repo: string, input: CiFixInput): Promise<CiFixInput> {
  const plan = await planCiFix(repo, input.baseCommit, input.check, input.failureExcerpt);
  if ("reason" in plan) {
    throw new JobFailure("invalid_input", `no fixer for ${input.check.name} at ${short(input.baseCommit)}: ${plan.reason}`, { command: input.check.run, notRetryable: "the repository has no fixer for this check" });
  }
  return { ...input, fixer: plan.fixer, files: plan.files };
}

/** The input's fixer, if it is one the committed package.json gives for this check and these files. */
async function committedFixer(repo: string, input: CiFixInput): Promise<Fixer> {
  const allowed = await allowedFixers(repo, input.baseCommit, input.check, input.files);
  if ("reason" in allowed) throw new JobFailure("invalid_input", `no fixer for ${input.check.name} at ${short(input.baseCommit)}: ${allowed.reason}`, { command: input.check.run });
  const fixer = allowed.fixers.find((f) => f.command === input.fixer);
  if (!fixer) {
    throw new JobFailure("invalid_input", `\`${String(input.fixer).slice(0, 200)}\` is not the fixer the package.json committed at ${short(input.baseCommit)} gives for ${input.check.name} (it gives \`${allowed.fixers[0]!.command}\`): a ci-fix runs only that`, { command: String(input.fixer).slice(0, 1000) });
  }
  return fixer;
}

interface FixerRun {
  exitCode: number | null;
  signal: string | null;
  evidence: { command: string; exitCode: number | null; signal: string | null; durationMs: number; logExcerpt: string };
}

async function runFixer(ctx: JobContext, input: CiFixInput, fixer: Fixer, place: { dir: string; mounts: ReadOnlyMount[]; tools?: PackageManagerTools }): Promise<FixerRun> {
  const { sandbox, env } = withTools({ sandbox: sandboxFor(ctx, place.dir, { network: false, mounts: place.mounts }), env: { PUSHPALS_JOB_ID: ctx.job.id } }, place.tools ?? WORKER_TOOLS);
  const run = await runCommand(fixer.command, {
    cwd: place.dir,
    timeoutMs: input.commandTimeoutSeconds * 1000,
    signal: ctx.signal,
    env,
    onLine: (stream, line) => ctx.log(stream, line),
    sandbox,
  });
  await ctx.recordCommand({ command: fixer.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  const evidence = { command: fixer.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
  if (run.aborted) throw new JobFailure("cancelled", "stopped while the fixer ran", evidence);
  if (run.outputLimited) throw new JobFailure("invalid_input", "the fixer printed more than the output limit (sandbox.max_output_mb) and was stopped; nothing was committed", evidence);
  if (run.timedOut) throw new JobFailure("timeout", `the fixer ran past its ${input.commandTimeoutSeconds}s time limit; nothing was committed`, evidence);
  if (run.outOfMemory) throw outOfMemoryFailure("the fixer", sandbox, evidence);
  if (run.exitCode !== 0) {
    // A fixer that could not run here (its program missing, the network it wanted) is the machine's, as for a check.
    const verdict = classifyCheckFailure({ name: `${input.check.name}'s fixer`, run: fixer.command, exitCode: run.exitCode, output: run.tail, networkGranted: false });
    if (verdict.failureClass === "environment") throw new JobFailure("environment", verdict.message, evidence);
  }
  return { exitCode: run.exitCode, signal: run.signal, evidence };
}
