import type { RunInput, RunResult } from "./run-input.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { proposeChange } from "../common/propose-change.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import type { JobContext } from "../common/job-context.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { WORKER_TOOLS, withTools } from "../../deps/package-manager-tools.ts";
import { outOfMemoryFailure } from "../../sandbox/out-of-memory.ts";
import type { CheckPlace } from "../common/run-checks.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import { checksAtBase } from "../common/checks-at-base.ts";

/**
 * `run`: a codemod job. The command runs in the sandbox in a fresh checkout of the exact base commit;
 * the SCM commits what changed (write scope enforced before anything is staged, host git never reading
 * what the command wrote as configuration), the job branch points at that commit, the checks run on a
 * fresh checkout of it, and the job's success opens the PR (in the same transaction). The command's
 * checkout is removed only once the commit is safely on a ref.
 */
export async function runCodemod(input: RunInput, ctx: JobContext): Promise<RunResult> {
    const start = input.updatePr?.headSha ?? input.baseCommit;
    const checkout = await jobCheckout(ctx, start);
    try {
      await ctx.progress({ step: "dependencies" }).catch(() => {});
      // What to check (and how to install) is the config committed at the base, never the request's.
      const toRun = await checksAtBase(ctx.paths.repoRoot, input.baseCommit);
      const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, toRun.install);
      await ctx.progress({ step: "command" }).catch(() => {});
      await runTheCommand(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, input);
      if (await ctx.isPaused()) throw new JobParked("paused after the command; the job runs again with `pushpals resume`");
      const { title, body, scope, maxFileBytes, risk, role, baseBranch, baseCommit, rfcFor, rfc, updatePr } = input;
      const pr = await proposeChange(ctx, checkout, {
        title, body, scope, maxFileBytes, risk, role, baseBranch, baseCommit, rfcFor, rfc, updatePr,
        message: `${input.title}\n\n${input.body ? `${input.body}\n\n` : ""}Made by \`${input.command}\`.`,
        checks: toRun,
        unpinned: dependencies?.unpinned,
      });
      return input.updatePr ? { pr, updates: input.updatePr.number } : { pr };
    } finally {
      removeCheckout(checkout);
    }
}

async function runTheCommand(ctx: JobContext, place: CheckPlace, input: RunInput): Promise<void> {
  const { dir } = place;
  ctx.log("system", `$ ${input.command}`);
  const { sandbox, env } = withTools({ sandbox: sandboxFor(ctx, dir, { network: ctx.sandbox.network.includes("run"), mounts: place.mounts }), env: { PUSHPALS_JOB_ID: ctx.job.id } }, place.tools ?? WORKER_TOOLS);
  const run = await runCommand(input.command, {
    cwd: dir,
    timeoutMs: input.commandTimeoutSeconds * 1000,
    signal: ctx.signal,
    env,
    onLine: (stream, line) => ctx.log(stream, line),
    sandbox,
  });
  await ctx.recordCommand({ command: input.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  const evidence = { command: input.command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
  if (run.aborted) throw new JobFailure("cancelled", "stopped while the command ran", evidence);
  if (run.outputLimited) throw new JobFailure("invalid_input", "the command printed more than the output limit (sandbox.max_output_mb) and was stopped; nothing was committed", evidence);
  if (run.timedOut) throw new JobFailure("timeout", `the command ran past its ${input.commandTimeoutSeconds}s time limit`, evidence);
  if (run.outOfMemory) throw outOfMemoryFailure("the command", sandbox, evidence);
  if (run.exitCode !== 0) throw new JobFailure("invalid_input", `the command exited ${run.exitCode ?? run.signal}; nothing was committed`, evidence);
}
