import type { CheckOutcome } from "../../prs/pr-types.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { classifyCheckFailure } from "./check-failure-class.ts";
import { collectCheckReport, prepareCheckReport } from "./check-report.ts";
import { quarantineOf } from "./check-quarantine.ts";
import { whyNotWaivable } from "./check-waivable.ts";
import type { JobContext } from "./job-context.ts";
import { WORKER_TOOLS, withTools, type PackageManagerTools } from "../../deps/package-manager-tools.ts";
import { outOfMemoryFailure } from "../../sandbox/out-of-memory.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import type { ReadOnlyMount } from "../../sandbox/sandbox-spec.ts";

/** The commands to run on one exact commit, checked out in the worktree given with them. */
export interface ChecksToRun {
  commit: string;
  commands: { name: string; run: string; report?: string }[];
  timeoutSeconds: number;
  /** Set in each command's environment besides PUSHPALS_JOB_ID (a triage's PUSHPALS_TRIAGE_RUN): explicit values, never the worker's own. */
  env?: Record<string, string>;
}

/** Where checks run: a fresh checkout's files and its cached dependencies (read-only). */
export interface CheckPlace {
  dir: string;
  mounts: ReadOnlyMount[];
  /** The package manager PushPals provided for the checkout (see prepareDependencies), else the worker's own. */
  tools?: PackageManagerTools;
}

/** Checks that did not all pass: the first failure is the job's, `results` holds every check's outcome. */
export class ChecksFailed extends JobFailure {
  constructor(
    first: JobFailure,
    readonly results: CheckOutcome[],
  ) {
    super(first.failureClass, first.message, first.evidence);
  }
}

/**
 * Runs every check command in the sandbox (so one run reports every broken check); the first failure
 * is the evidence: `environment` when its output shows this machine or the sandbox is the cause (see
 * check-failure-class.ts), else `checks_failed`. `pushpals pause` parks the job between two commands.
 */
export async function runChecks(ctx: JobContext, place: CheckPlace, input: ChecksToRun): Promise<{ commit: string; checks: CheckOutcome[] }> {
  const deadline = Date.now() + input.timeoutSeconds * 1000;
  const networkGranted = ctx.sandbox.network.includes("checks");
  const results: CheckOutcome[] = [];
  let firstFailure: JobFailure | null = null;
  const quarantine = quarantineOf(ctx, input.commit);
  const whyNot = (run: string) => whyNotWaivable(ctx.paths.repoRoot, input.commit, run);
  for (const [index, check] of input.commands.entries()) {
    // `pushpals pause`: the command that ran finished; the job parks before the next one.
    if (index > 0 && (await ctx.isPaused())) throw new JobParked(`paused after ${input.commands[index - 1]!.name}; it starts again with \`pushpals resume\``);
    ctx.log("system", `$ ${check.run}    # ${check.name} (${index + 1}/${input.commands.length})`);
    await ctx.progress({ step: check.name, index, total: input.commands.length }).catch(() => {});
    const report = prepareCheckReport(ctx, place.dir, check);
    const { sandbox, env } = withTools(
      { sandbox: sandboxFor(ctx, place.dir, { network: networkGranted, mounts: place.mounts }), env: { ...input.env, ...report.env, PUSHPALS_JOB_ID: ctx.job.id } },
      place.tools ?? WORKER_TOOLS,
    );
    const run = await runCommand(check.run, {
      cwd: place.dir,
      timeoutMs: Math.max(1, deadline - Date.now()),
      signal: ctx.signal,
      env,
      onLine: (stream, line) => ctx.log(stream, line),
      sandbox,
    });
    ctx.log("system", `${check.name}: exit ${run.exitCode ?? run.signal} in ${run.durationMs} ms`);
    await ctx.recordCommand({ command: check.run, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
    if (run.aborted) throw new JobFailure("cancelled", `stopped during ${check.name}`, { command: check.run });
    const tests = report.error ? { reportError: report.error } : await collectCheckReport(ctx, place.dir, input.commit, check, run.timedOut ? null : run.exitCode, quarantine, whyNot);
    const result: CheckOutcome = { name: check.name, run: check.run, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, ...tests };
    results.push(result);
    const evidence = { command: check.run, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
    if (run.timedOut) throw new JobFailure("timeout", `${check.name} ran past the ${input.timeoutSeconds}s checks time limit`, evidence);
    if (run.outOfMemory && !firstFailure) firstFailure = outOfMemoryFailure(check.name, sandbox, evidence);
    if (run.outputLimited && !firstFailure) {
      firstFailure = new JobFailure("checks_failed", `${check.name} printed more than the output limit (sandbox.max_output_mb) and was stopped`, evidence);
    }
    if (run.exitCode !== 0 && !result.waived && !firstFailure) {
      const verdict = classifyCheckFailure({ name: check.name, run: check.run, exitCode: run.exitCode, output: run.tail, networkGranted });
      firstFailure =
        verdict.failureClass === "environment"
          ? new JobFailure("environment", verdict.message, evidence)
          : new JobFailure("checks_failed", `${check.name} failed: \`${check.run}\` exited ${run.exitCode ?? run.signal}`, evidence);
    }
  }
  if (firstFailure) throw new ChecksFailed(firstFailure, results);
  return { commit: input.commit, checks: results };
}
