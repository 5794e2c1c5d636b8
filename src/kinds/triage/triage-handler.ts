import type { InstallSettings } from "../../config/check-settings.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { redactText } from "../../secrets/redact.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { ChecksFailed, runChecks } from "../common/run-checks.ts";
import type { CheckOutcome } from "../../prs/pr-types.ts";
import { MAX_TRIAGE_TESTS, type TriageFailureClass, type TriageInput, type TriageResult, type TriageRun } from "./triage-input.ts";
import { runPassed, triageVerdict } from "./triage-verdict.ts";

const EXCERPT_LINES = 20;
const EXCERPT_LINE_CHARS = 400;

/**
 * Runs one check `runs` times on the exact commit, each time in a fresh checkout with its dependencies
 * prepared as `checks` prepares them, and says whether it is broken, flaky, the machine's, or passing. A
 * run this machine could not do (`environment`) or that timed out ends the triage: the next one would not do better.
 */
export async function runTriage(input: TriageInput, ctx: JobContext): Promise<TriageResult> {
  const { install, commands, timeoutSeconds } = await checksAtBase(ctx.paths.repoRoot, input.commit);
  // A failing build's check came with a checks job's input: triage reruns it only as the commit's config names it.
  // The committed check, so its `report` (where its test report is written) is the config's, never the input's.
  const configured = commands.find((c) => c.name === input.check.name && c.run === input.check.run);
  if (!configured) {
    throw new JobFailure("invalid_input", `${input.check.name} (\`${input.check.run}\`) is not a check of the config committed at ${input.commit.slice(0, 12)}: triage reruns configured checks only`, { command: input.check.run });
  }
  const on = `${input.commit.slice(0, 12)}${input.branch ? ` (${input.branch})` : ""}`;
  ctx.log("system", `triage of ${input.check.name} on ${on}: ${input.runs} run${input.runs === 1 ? "" : "s"}, each in a fresh checkout`);
  const runs: TriageRun[] = [];
  for (let run = 1; run <= input.runs; run++) {
    // Under the commit's own checks.timeout_seconds too: a check that ran past it there must not pass here by getting longer.
    const outcome = await triageRun(ctx, { ...input, check: configured, commandTimeoutSeconds: Math.min(input.commandTimeoutSeconds, timeoutSeconds) }, install, run);
    runs.push(outcome);
    ctx.log("system", `triage run ${run}/${input.runs}: ${describeRun(outcome)}`);
    if (outcome.failureClass !== null) {
      const why = outcome.failureClass === "timeout" ? "it ran past its time limit (the machine's or the check's, not a verdict on the code)" : "this machine could not run the check";
      if (run < input.runs) ctx.log("system", `triage: stopped after run ${run}: ${why}, so more runs would say nothing about it`);
      break;
    }
  }
  const verdict = triageVerdict(runs);
  const passed = runs.filter(runPassed).length;
  ctx.log("system", `triage: ${verdict} (${passed} of ${runs.length} run${runs.length === 1 ? "" : "s"} passed)`);
  return { commit: input.commit, check: input.check.name, verdict, runs, passed, failed: runs.length - passed };
}

async function triageRun(ctx: JobContext, input: TriageInput, install: InstallSettings, run: number): Promise<TriageRun> {
  if (ctx.signal.aborted) throw new JobFailure("cancelled", `stopped before run ${run} of ${input.runs}`);
  ctx.log("system", `triage run ${run}/${input.runs}: a fresh checkout of ${input.commit.slice(0, 12)}`);
  await ctx.progress({ step: "triage", run, runs: input.runs }).catch(() => {});
  const started = performance.now();
  const checkout = await jobCheckout(ctx, input.commit, "triage");
  try {
    const installOutput = outputTail(ctx);
    let dependencies: Awaited<ReturnType<typeof prepareWorktreeDependencies>>;
    try {
      dependencies = await prepareWorktreeDependencies(installOutput.ctx, checkout.dir, install);
    } catch (err) {
      const failure = spoiled(err);
      if (!failure) throw err;
      // The check never ran: no exit code of its own.
      return { run, exitCode: null, signal: null, durationMs: elapsed(started), failureClass: failure.failureClass, reason: reasonOf(failure), logExcerpt: installOutput.excerpt(), reportRead: false, failedTests: [] };
    }
    const checkOutput = outputTail(ctx);
    const place = { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools };
    const env = { PUSHPALS_TRIAGE_RUN: String(run), PUSHPALS_TRIAGE_RUNS: String(input.runs) };
    try {
      const [ran] = (await runChecks(checkOutput.ctx, place, { commit: input.commit, commands: [input.check], timeoutSeconds: input.commandTimeoutSeconds, env })).checks;
      return { run, exitCode: ran!.exitCode, signal: ran!.signal, durationMs: ran!.durationMs, failureClass: null, logExcerpt: checkOutput.excerpt(), ...testsOf(ran) };
    } catch (err) {
      // A failed check comes with its outcome (and `environment` when it could not run here); a timeout only with its evidence.
      const ran = err instanceof ChecksFailed ? err.results[0] : undefined;
      const failure = spoiled(err);
      if (!ran && !failure) throw err;
      const evidence = failure?.evidence ?? {};
      const measured = ran ?? { exitCode: evidence.exitCode ?? null, signal: evidence.signal ?? null, durationMs: evidence.durationMs ?? elapsed(started) };
      return {
        run,
        exitCode: measured.exitCode,
        signal: measured.signal,
        durationMs: measured.durationMs,
        failureClass: failure?.failureClass ?? null,
        ...(failure ? { reason: reasonOf(failure) } : {}),
        logExcerpt: checkOutput.excerpt(),
        ...testsOf(ran),
      };
    }
  } finally {
    removeCheckout(checkout);
  }
}

/** A run's failed tests, when its report was read. */
function testsOf(ran: CheckOutcome | undefined): Pick<TriageRun, "reportRead" | "failedTests"> {
  if (!ran?.tests) return { reportRead: false, failedTests: [] };
  const failed = ran.tests.outcomes.filter((t) => t.status === "failed" || t.status === "errored").map((t) => t.id);
  return { reportRead: true, failedTests: failed.slice(0, MAX_TRIAGE_TESTS) };
}

type SpoiledRun = JobFailure & { failureClass: TriageFailureClass };

/** A failure that spoils one run but not the triage: it ran past its time, or the machine could not run it. Anything else (cancel, a refused install) ends the job. */
function spoiled(err: unknown): SpoiledRun | null {
  return err instanceof JobFailure && (err.failureClass === "timeout" || err.failureClass === "environment") ? (err as SpoiledRun) : null;
}

/** The context with the commands' output lines (already redacted line by line by runCommand) also kept, the last few. */
function outputTail(ctx: JobContext): { ctx: JobContext; excerpt: () => string } {
  const lines: string[] = [];
  const log: JobContext["log"] = (stream, line) => {
    if (stream !== "system") {
      lines.push(line.length > EXCERPT_LINE_CHARS ? `${line.slice(0, EXCERPT_LINE_CHARS)}…` : line);
      if (lines.length > EXCERPT_LINES) lines.shift();
    }
    ctx.log(stream, line);
  };
  return { ctx: { ...ctx, log }, excerpt: () => lines.join("\n") };
}

function reasonOf(err: JobFailure): string {
  return redactText(err.message).slice(0, 4096);
}

function describeRun(run: TriageRun): string {
  const how =
    run.exitCode !== null ? `exit ${run.exitCode} in ${run.durationMs} ms` : run.signal ? `killed by ${run.signal} after ${run.durationMs} ms` : `the check did not run (${run.durationMs} ms getting to it)`;
  return run.failureClass ? `${how}: ${run.failureClass} (${run.reason})` : how;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
