import type { InstallSettings } from "../../config/check-settings.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import type { CheckOutcome } from "../../prs/pr-types.ts";
import { isAncestor } from "../../scm/branches.ts";
import { parseRawDiff } from "../../scm/changes.ts";
import { commitInfo, firstParentCommits } from "../../scm/commit-info.ts";
import { git } from "../../scm/git.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { redactText } from "../../secrets/redact.ts";
import { checksAtBase, type ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { outputTail } from "../common/output-tail.ts";
import { ChecksFailed, runChecks } from "../common/run-checks.ts";
import { MAX_BISECT_CANDIDATES, MAX_CULPRIT_FILES, type BisectFailureClass, type BisectInput, type BisectOutcome, type BisectResult, type BisectStep } from "./bisect-input.ts";
import { judgeStep, nextBisectStep, type StepRun, type StepTests } from "./bisect-step.ts";

const short = (sha: string) => sha.slice(0, 12);

type CheckToRun = ChecksAtBase["commands"][number];

/**
 * Finds the commit of good..bad (on bad's first-parent line) that broke one check, by binary search: each
 * step a fresh checkout of one commit, its dependencies prepared from its own config, the check run in the
 * sandbox as `checks` runs it. `bad` is rerun once first (a check that passes there now has nothing to
 * find); `good` is trusted, not rerun: the server names it from a run that passed, and a rerun would cost a
 * step to re-learn what a bisect assumes anyway. A step that timed out or that this machine could not do
 * is skipped, and a neighbour tried instead. Between steps, a cancel stops it and `pushpals pause` parks it
 * (it starts over on resume; the steps it made are in its log).
 */
export async function runBisect(input: BisectInput, ctx: JobContext): Promise<BisectResult> {
  const repo = ctx.paths.repoRoot;
  for (const [name, sha] of [["good", input.good], ["bad", input.bad]] as const) {
    if (!(await commitInfo(repo, sha))) throw new JobFailure("invalid_input", `${name} ${short(sha)} is not a commit of this repository`, { command: `git rev-parse --verify ${sha}^{commit}` });
  }
  const { commands } = await checksAtBase(repo, input.bad);
  // The check came from a checks job's input: a bisect reruns it only as the config at `bad` names it
  // (its report path too: every step runs the command and reads the report as that config says).
  const check = commands.find((c) => c.name === input.check.name && c.run === input.check.run);
  if (!check) {
    throw new JobFailure("invalid_input", `${input.check.name} (\`${input.check.run}\`) is not a check of the config committed at ${short(input.bad)}: bisect reruns configured checks only`, { command: input.check.run });
  }
  if (!(await isAncestor(repo, input.good, input.bad))) {
    throw new JobFailure("invalid_input", `good ${short(input.good)} is not an ancestor of bad ${short(input.bad)}: there is no range between them to search`, { command: `git merge-base --is-ancestor ${input.good} ${input.bad}` });
  }
  const { commits: candidates, more } = await firstParentCommits(repo, input.good, input.bad, MAX_BISECT_CANDIDATES);
  if (more) {
    throw new JobFailure("invalid_input", `${short(input.good)}..${short(input.bad)} holds more than ${MAX_BISECT_CANDIDATES} commits on ${short(input.bad)}'s first-parent line: name a later good commit`, { command: `git rev-list --first-parent --count ${input.good}..${input.bad}` });
  }
  const oldest = candidates[0] ? await commitInfo(repo, candidates[0]) : null;
  if (!oldest || oldest.parents[0] !== input.good) {
    throw new JobFailure("invalid_input", `good ${short(input.good)} is not on bad ${short(input.bad)}'s first-parent line (it came in through a merge): a bisect searches the commits that moved the branch from good to bad, so name a good commit of that line`, { command: `git rev-list --first-parent ${input.good}..${input.bad}` });
  }

  const on = input.branch ? ` on ${input.branch}` : "";
  const judgedBy = input.testId ? `${input.testId} (the exit code when a run writes no readable report)` : "its exit code";
  ctx.log("system", `bisect of ${input.check.name}${on}: ${candidates.length} commit(s) after good ${short(input.good)} up to bad ${short(input.bad)}, at most ${input.maxSteps} step(s), each judged by ${judgedBy}`);

  const steps: BisectStep[] = [];
  const base = { good: input.good, bad: input.bad, check: input.check.name, testId: input.testId, candidates: candidates.length };
  const none = { culprit: null, culpritSubject: null, culpritAuthor: null, culpritParents: [], culpritFiles: [], narrowedTo: null };

  const confirm = await runStep(ctx, input, check, input.bad, "confirm", 0);
  steps.push(confirm);
  ctx.log("system", `bisect: bad ${short(input.bad)} rerun first: ${describeStep(confirm)}`);
  if (confirm.outcome === "good") {
    ctx.log("system", `bisect: not reproduced: ${input.check.name} passes at ${short(input.bad)} now, so there is nothing to find`);
    return { verdict: "not_reproduced", ...base, ...none, steps };
  }
  if (confirm.outcome === "skip") {
    ctx.log("system", `bisect: unconfirmed: the run at ${short(input.bad)} could not tell whether ${input.check.name} fails there, so no step would tell either`);
    return { verdict: "unconfirmed", ...base, ...none, steps };
  }

  const outcomes = new Map<string, BisectOutcome>();
  for (let step = 1; ; step++) {
    const next = nextBisectStep(candidates, outcomes);
    if (next.type === "culprit") {
      const info = await commitInfo(repo, next.culprit);
      const subject = info ? redactText(info.subject).slice(0, 300) : null;
      ctx.log("system", `bisect: found: ${short(next.culprit)} (${JSON.stringify(subject ?? "")}) is the first commit where ${input.check.name} fails, after ${step - 1} step(s)`);
      const culpritParents = info?.parents ?? [];
      const culpritFiles = culpritParents[0] ? await changedFiles(repo, culpritParents[0], next.culprit) : [];
      return { verdict: "found", ...base, culprit: next.culprit, culpritSubject: subject, culpritAuthor: info ? redactText(info.author).slice(0, 200) : null, culpritParents, culpritFiles, narrowedTo: null, steps };
    }
    if (next.type === "ambiguous" || step > input.maxSteps) {
      const why = next.type === "ambiguous" ? "skipped commits leave it undecided" : `the ${input.maxSteps} step(s) ran out`;
      ctx.log("system", `bisect: narrowed to ${next.range.commits} commit(s), ${short(next.range.first)}..${short(next.range.last)} (both included): ${why}`);
      return { verdict: "narrowed", ...base, ...none, narrowedTo: next.range, steps };
    }
    if (await ctx.isPaused()) throw new JobParked(`paused after bisect step ${step - 1}; it starts again with \`pushpals resume\``);
    ctx.log("system", `bisect step ${step}/${input.maxSteps}: ${next.range.commits} suspect(s) ${short(next.range.first)}..${short(next.range.last)}; trying ${short(next.commit)}`);
    const ran = await runStep(ctx, input, check, next.commit, "bisect", step);
    steps.push(ran);
    outcomes.set(next.commit, ran.outcome);
    ctx.log("system", `bisect step ${step}/${input.maxSteps}: ${short(next.commit)}: ${describeStep(ran)}`);
  }
}

/** One run of the check in a fresh checkout of `commit`, judged good, bad or skip. */
async function runStep(ctx: JobContext, input: BisectInput, check: CheckToRun, commit: string, kind: BisectStep["kind"], step: number): Promise<BisectStep> {
  if (ctx.signal.aborted) throw new JobFailure("cancelled", `stopped before bisect step ${step}`);
  await ctx.progress({ step: "bisect", commit, index: step, maxSteps: input.maxSteps }).catch(() => {});
  const started = performance.now();
  const judged = (run: StepRun & { durationMs: number; reason?: string }, tests: StepTests | undefined, logExcerpt: string): BisectStep => {
    const verdict = judgeStep(run, input.testId, tests);
    const reason = run.reason ?? verdict.reason;
    return { commit, kind, outcome: verdict.outcome, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, testStatus: verdict.testStatus, failureClass: run.failureClass, ...(reason ? { reason } : {}), logExcerpt };
  };
  let install: InstallSettings;
  try {
    // Each commit is set up as its own config says (its package manager, its scripts setting).
    install = (await checksAtBase(ctx.paths.repoRoot, commit)).install;
  } catch (err) {
    if (!(err instanceof JobFailure) || err.failureClass !== "invalid_input") throw err;
    // A commit whose committed config is broken cannot be set up: it says nothing about the check.
    return { commit, kind, outcome: "skip", exitCode: null, signal: null, durationMs: elapsed(started), testStatus: null, failureClass: null, reason: reasonOf(err), logExcerpt: "" };
  }
  const checkout = await jobCheckout(ctx, commit, "bisect");
  try {
    const installOutput = outputTail(ctx);
    let dependencies: Awaited<ReturnType<typeof prepareWorktreeDependencies>>;
    try {
      dependencies = await prepareWorktreeDependencies(installOutput.ctx, checkout.dir, install);
    } catch (err) {
      const failure = spoiled(err);
      if (!failure) throw err;
      // The check never ran: no exit code of its own.
      return judged({ exitCode: null, signal: null, failureClass: failure.failureClass, durationMs: elapsed(started), reason: reasonOf(failure) }, undefined, installOutput.excerpt());
    }
    const checkOutput = outputTail(ctx);
    const place = { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools };
    try {
      const [ran] = (await runChecks(checkOutput.ctx, place, { commit, commands: [check], timeoutSeconds: input.commandTimeoutSeconds })).checks;
      return judged({ exitCode: ran!.exitCode, signal: ran!.signal, waived: ran!.waived, failureClass: null, durationMs: ran!.durationMs }, testsOf(ran!), checkOutput.excerpt());
    } catch (err) {
      // A failed check comes with its outcome (and `environment` when it could not run here); a timeout only with its evidence.
      const ran = err instanceof ChecksFailed ? err.results[0] : undefined;
      const failure = spoiled(err);
      if (!ran && !failure) throw err;
      const evidence = failure?.evidence ?? {};
      const measured = ran ?? { exitCode: evidence.exitCode ?? null, signal: evidence.signal ?? null, durationMs: evidence.durationMs ?? elapsed(started), waived: undefined };
      const run = { exitCode: measured.exitCode, signal: measured.signal, waived: measured.waived, durationMs: measured.durationMs, failureClass: failure?.failureClass ?? null, ...(failure ? { reason: reasonOf(failure) } : {}) };
      return judged(run, ran ? testsOf(ran) : undefined, checkOutput.excerpt());
    }
  } finally {
    removeCheckout(checkout);
  }
}

/**
 * The tests of one check run, when its outcome carries them (the check's report, read by runChecks);
 * undefined for a check without a report, or one whose report could not be read.
 */
function testsOf(outcome: CheckOutcome): StepTests | undefined {
  return outcome.tests;
}

type SpoiledRun = JobFailure & { failureClass: BisectFailureClass };

/** A failure that spoils one step but not the bisect: it ran past its time, or the machine could not run it. Anything else (cancel, a refused install) ends the job. */
function spoiled(err: unknown): SpoiledRun | null {
  return err instanceof JobFailure && (err.failureClass === "timeout" || err.failureClass === "environment") ? (err as SpoiledRun) : null;
}

function reasonOf(err: JobFailure): string {
  return redactText(err.message).slice(0, 4096);
}

function describeStep(step: BisectStep): string {
  const how =
    step.exitCode !== null ? `exit ${step.exitCode} in ${step.durationMs} ms` : step.signal ? `killed by ${step.signal} after ${step.durationMs} ms` : `the check did not run (${step.durationMs} ms getting to it)`;
  const test = step.testStatus ? `, the test ${step.testStatus}` : "";
  const why = step.failureClass ? ` (${step.failureClass}: ${step.reason ?? ""})` : step.reason ? ` (${step.reason})` : "";
  return `${how}${test}: ${step.outcome}${why}`;
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

/** The paths a commit changed against its first parent (both sides of a rename): the revert's scope, said by host git. */
async function changedFiles(repo: string, parent: string, commit: string): Promise<string[]> {
  const diff = await git(["diff", "--raw", "-z", "--no-abbrev", "-M", parent, commit], { cwd: repo, timeoutMs: 120_000 });
  const paths = parseRawDiff(diff.stdout).flatMap((f) => (f.oldPath ? [f.path, f.oldPath] : [f.path]));
  return [...new Set(paths)].slice(0, MAX_CULPRIT_FILES);
}
