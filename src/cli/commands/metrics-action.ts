import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import type { JobSuccess, MetricsSnapshot } from "../../metrics/metrics-snapshot.ts";
import { cliContext } from "../context.ts";
import { printJson, table } from "../format.ts";
import { dollars, tokenCount } from "./model-logs-action.ts";

export async function runMetrics(program: Command, opts: { since?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  // The duration is the user's word as given: the server refuses a malformed one, naming the field.
  const data = await ctx.client.call(routes.metrics, { query: { since: opts.since || undefined } });
  if (opts.json) return printJson(data);
  process.stdout.write(metricsText(data, opts.since));
}

const NONE = "n/a";

function percent(rate: number | null): string {
  return rate === null ? NONE : `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return NONE;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${Math.round(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ${Math.round((seconds % 3600) / 60)}m`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

function share(rate: number | null, part: number, whole: number, of: string): string {
  return `${percent(rate)} (${part} of ${whole} ${of})`;
}

function success(s: JobSuccess): string {
  return share(s.rate, s.clean, s.finished, "finished jobs");
}

/** `pushpals metrics`: one line per metric; `pushpals metrics --help` says what each one counts. */
export function metricsText(m: MetricsSnapshot, since?: string): string {
  const { install, online, merges, rework, jobs, queue, thresholds, approvals, conflicts } = m;
  const window = m.since === null ? "all history" : `since ${new Date(m.since).toISOString()} (${since ?? "window"})`;
  const rows = [
    ["install to first PR", install.secondsToFirstPr === null ? (install.installedAt === null ? "n/a (no server start recorded)" : "n/a (no PR yet)") : duration(install.secondsToFirstPr)],
    ["time to online", online.runs === 0 ? "n/a (no run recorded)" : `${duration(online.lastSeconds)} last run, ${duration(online.medianSeconds)} median of ${online.runs}`],
    ["autonomous merge rate", share(merges.rate, merges.autonomous, merges.merged, "merged PRs")],
    ["rework rate", share(rework.rate, rework.reworked, rework.prs, "PRs")],
    ["approved to merged", share(approvals.rate, approvals.merged, approvals.approved, "approved PRs")],
    ["conflicts resolved", `${share(conflicts.rate, conflicts.resolved, conflicts.resolved + conflicts.manualInterventions, "conflicted PRs")}; files by strategy: ${Object.entries(conflicts.byStrategy).map(([s, n]) => `${s} ${n}`).join(", ")}; ${conflicts.manualInterventions} left to a person`],
    ["job success rate", success(jobs.all)],
    ...jobs.byKind.map((k) => [`  ${k.kind}`, success(k)]),
    ["queue wait (median)", queue.started === 0 ? NONE : `${duration(queue.medianWaitSeconds)} over ${queue.started} started jobs`],
    ["stuck-job rate", share(queue.stuckRate, queue.stuck, queue.jobs, "jobs")],
    ["retry-storm rate", `${share(queue.retryStormRate, queue.retryStorms, queue.jobs, "jobs")}, more than ${thresholds.retryStormAttempts} attempts`],
    // Model usage, the newest days (`--json` has every day of the window).
    ...(m.models.days.length === 0 ? [] : [["model usage per day (UTC)", ""], ...m.models.days.slice(-7).map((d) => [`  ${d.day}`, `${tokenCount(d.tokens)} tokens, ${dollars(d.costUsd)} (${d.exchanges} exchanges, ${d.jobs} jobs)`])]),
  ];
  return `metrics, ${window}\n${table(rows.map(([name, value]) => [`  ${name}`, value!]))}\n  definitions: pushpals metrics --help\n`;
}
