import type { BenchmarkCommand, BenchmarkSettings } from "../../config/benchmark-settings.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { WORKER_TOOLS, withTools } from "../../deps/package-manager-tools.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import { removeCheckout, type JobCheckout } from "../../scm/worktree.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import type { CheckPlace } from "../common/run-checks.ts";
import { judgeBenchmark, verdictLine, type BenchmarkVerdict } from "./benchmark-verdict.ts";
import { measurementEdits } from "./benchmark-harness.ts";

/** A figure is read from at most this much of a line: the change's output is anyone's, the pattern runs host-side. */
const MAX_LINE = 256;
const NUMBER = /^[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

export interface BenchmarkGain {
  runs: number;
  verdicts: BenchmarkVerdict[];
}

/**
 * The Performance Tuner's definition of done, in code: the benchmarks committed at the base (`[benchmarks]`)
 * run on a fresh checkout of the base and of the proposed commit, in turns (base, change, base, change...)
 * on this machine in this job, each run in the sandbox with no network. At least one benchmark must improve
 * beyond noise (benchmark-verdict.ts) and none may regress; otherwise the job opens no PR. The change may
 * not touch what runs the measurement (benchmark-harness.ts). A `figure` is read from the output of the change's own
 * code, so it is evidence a person weighs (the tier is at least Medium), not proof; wall time is harder to game.
 */
export async function benchmarkGain(ctx: JobContext, proposal: PrProposal, baseCommit: string, checks: ChecksAtBase, settings: BenchmarkSettings): Promise<BenchmarkGain> {
  if (settings.commands.length === 0) {
    throw new JobFailure("invalid_input", "no benchmark is configured ([[benchmarks.commands]] in .pushpals/config.toml at the base), so no gain can be measured", { notRetryable: "no benchmarks configured" });
  }
  // The measurement itself is not the change's to edit (its tests are the checks', and pass as ever).
  const touched = await measurementEdits(ctx.paths.repoRoot, proposal, baseCommit, settings.commands);
  if (touched.length > 0) {
    const listed = touched.slice(0, 10).map((t) => `${t.path} (${t.why})`).join(", ");
    throw new JobFailure("policy_denied", `a performance change may change only the code it measures, never what measures it, and it changes ${listed}${touched.length > 10 ? ` and ${touched.length - 10} more` : ""}`, {
      paths: touched.slice(0, 100).map((t) => t.path),
      notRetryable: "a performance change edited what measures it",
    });
  }
  const sides: JobCheckout[] = [];
  try {
    sides.push(await jobCheckout(ctx, baseCommit, "benchbase"), await jobCheckout(ctx, proposal.headSha, "benchhead"));
    await ctx.progress({ step: "dependencies" }).catch(() => {});
    const places: CheckPlace[] = [];
    for (const side of sides) {
      const dependencies = await prepareWorktreeDependencies(ctx, side.dir, checks.install);
      places.push({ dir: side.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools });
    }
    const verdicts: BenchmarkVerdict[] = [];
    for (const bench of settings.commands) {
      const base: number[] = [];
      const change: number[] = [];
      for (let run = 1; run <= settings.runs; run++) {
        await ctx.progress({ step: "benchmark", index: run }).catch(() => {});
        base.push(await measureOnce(ctx, places[0]!, bench, settings.timeout_seconds, "the base"));
        change.push(await measureOnce(ctx, places[1]!, bench, settings.timeout_seconds, "the change"));
      }
      const verdict = judgeBenchmark({ name: bench.name, unit: bench.figure ? "" : "ms", higherIsBetter: bench.figure ? bench.higher_is_better : false, base, change }, settings.min_improvement);
      ctx.log("system", `benchmark ${verdictLine(verdict, settings.runs)} (base ${base.join(", ")}; change ${change.join(", ")})`);
      verdicts.push(verdict);
    }
    const gain = { runs: settings.runs, verdicts };
    const regressed = verdicts.filter((v) => v.outcome === "regressed");
    if (regressed.length > 0) {
      throw new JobFailure("checks_failed", `the change is slower: ${regressed.map((v) => verdictLine(v, settings.runs)).join("; ")}`, { notRetryable: "a benchmark regressed" });
    }
    if (!verdicts.some((v) => v.outcome === "improved")) {
      throw new JobFailure("no_change", `no benchmark improved beyond noise (at least ${Math.round(settings.min_improvement * 100)} % on the median, and every run of the change better than every run of the base): ${verdicts.map((v) => verdictLine(v, settings.runs)).join("; ")}`, {
        notRetryable: "no improvement beyond noise",
      });
    }
    return gain;
  } finally {
    for (const side of sides) removeCheckout(side);
  }
}

/** One run of one benchmark: its wall time in ms, or the figure its output gives. */
async function measureOnce(ctx: JobContext, place: CheckPlace, bench: BenchmarkCommand, timeoutSeconds: number, side: string): Promise<number> {
  const { sandbox, env } = withTools({ sandbox: sandboxFor(ctx, place.dir, { network: false, mounts: place.mounts }), env: { PUSHPALS_JOB_ID: ctx.job.id } }, place.tools ?? WORKER_TOOLS);
  const pattern = bench.figure ? new RegExp(bench.figure) : null;
  const seen: { figure: number | null } = { figure: null };
  const run = await runCommand(bench.run, {
    cwd: place.dir,
    timeoutMs: timeoutSeconds * 1000,
    signal: ctx.signal,
    env,
    sandbox,
    onLine: (stream, line) => {
      ctx.log(stream, line);
      if (!pattern || stream !== "stdout") return;
      const match = pattern.exec(line.slice(0, MAX_LINE));
      const value = match?.[1] !== undefined && NUMBER.test(match[1]) ? Number(match[1]) : Number.NaN;
      if (Number.isFinite(value) && value > 0) seen.figure = value;
    },
  });
  await ctx.recordCommand({ command: bench.run, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  if (run.aborted) throw new JobFailure("cancelled", "stopped while a benchmark ran", { command: bench.run });
  if (run.exitCode !== 0) {
    const why = run.timedOut ? `ran past ${timeoutSeconds}s` : `exited ${run.exitCode ?? run.signal}`;
    // On the base it is the benchmark (or the machine) that is broken; on the change, the change.
    throw new JobFailure(side === "the base" ? "invalid_input" : "checks_failed", `the benchmark \`${bench.name}\` ${why} on ${side}`, { command: bench.run, exitCode: run.exitCode, logExcerpt: run.tail.join("\n").slice(-4000), notRetryable: "the benchmark does not run" });
  }
  if (!pattern) return run.durationMs;
  if (seen.figure === null) throw new JobFailure(side === "the base" ? "invalid_input" : "checks_failed", `the benchmark \`${bench.name}\` printed no line matching its figure ${bench.figure} (a number above zero) on ${side}`, { command: bench.run, logExcerpt: run.tail.join("\n").slice(-4000), notRetryable: "no figure in the output" });
  return seen.figure;
}

/** The PR's evidence section. */
export function gainNote(gain: BenchmarkGain): string {
  const printed = gain.verdicts.some((v) => v.unit !== "ms") ? "\nA figure other than ms is what the benchmark's output printed on each side: the change's own code runs in it." : "";
  return `Benchmarked before and after on the same machine in one job (runs in turns, base then change, ${gain.runs} each):\n${gain.verdicts.map((v) => `- ${verdictLine(v, gain.runs)}`).join("\n")}${printed}`;
}
