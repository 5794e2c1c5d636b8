import { CONFLICT_STRATEGIES, DEFINITIONS } from "./definitions.ts";
import type { KindSuccess, MetricsSnapshot } from "./metrics-snapshot.ts";

/**
 * A snapshot in the Prometheus text format, written by prom-client (loaded on the first scrape, so a
 * server nobody scrapes never loads it). Every metric is a gauge set from the snapshot, in a registry
 * of its own for this one reply: nothing is kept between scrapes and no process metrics are added. A
 * value with nothing to measure yet (no PR opened, no finished job) is left out, not written as 0.
 */
export async function prometheusText(snapshot: MetricsSnapshot): Promise<string> {
  const { Gauge, Registry } = await import("prom-client");
  const registry = new Registry();
  const gauge = (name: string, help: string, value: number | null) => {
    if (value !== null) new Gauge({ name, help, registers: [registry] }).set(value);
  };
  const perKind = (name: string, help: string, value: (k: KindSuccess) => number | null) => {
    const g = new Gauge({ name, help, labelNames: ["kind"] as const, registers: [registry] });
    for (const k of snapshot.jobs.byKind) {
      const v = value(k);
      if (v !== null) g.set({ kind: k.kind }, v);
    }
  };
  const { install, online, merges, rework, approvals, queue, conflicts } = snapshot;
  const d = DEFINITIONS;

  gauge("pushpals_install_to_first_pr_seconds", `Install to first PR: ${d.installToFirstPr}.`, install.secondsToFirstPr);
  gauge("pushpals_time_to_online_seconds", `Time to all systems online, the newest run: ${d.timeToOnline}.`, online.lastSeconds);
  gauge("pushpals_time_to_online_median_seconds", "Time to all systems online, the median of the runs started in the window.", online.medianSeconds);
  gauge("pushpals_online_runs", "Runs started in the window that came online (supervisor.online audit entries).", online.runs);

  gauge("pushpals_autonomous_merge_ratio", `Autonomous merge rate: ${d.autonomousMerge}.`, merges.rate);
  gauge("pushpals_prs_merged", "PRs opened in the window that merged.", merges.merged);
  gauge("pushpals_prs_merged_autonomous", "PRs opened in the window that merged with every commit from a PushPals job.", merges.autonomous);
  gauge("pushpals_rework_ratio", `Rework rate: ${d.rework}.`, rework.rate);
  gauge("pushpals_prs_opened", "PRs opened in the window.", rework.prs);
  gauge("pushpals_prs_reworked", "PRs opened in the window that needed rework.", rework.reworked);
  gauge("pushpals_approved_to_merged_ratio", `Approved-to-merged conversion: ${d.approvedToMerged}.`, approvals.rate);
  gauge("pushpals_prs_approved", "PRs a person approved in the window, whenever they opened.", approvals.approved);
  gauge("pushpals_prs_approved_merged", "PRs a person approved in the window that merged.", approvals.merged);

  perKind("pushpals_job_success_ratio", `Job success rate: ${d.jobSuccess}.`, (k) => k.rate);
  perKind("pushpals_jobs_finished", "Jobs created in the window that finished (succeeded, failed or cancelled).", (k) => k.finished);
  perKind("pushpals_jobs_succeeded", "Jobs created in the window that succeeded, with or without intervention.", (k) => k.succeeded);
  perKind("pushpals_jobs_succeeded_clean", "Jobs created in the window that succeeded with no intervention.", (k) => k.clean);

  gauge("pushpals_jobs", "Jobs created in the window.", queue.jobs);
  gauge("pushpals_jobs_started", "Jobs created in the window that started running.", queue.started);
  gauge("pushpals_queue_wait_median_seconds", `Queue wait: ${d.queueWait}.`, queue.medianWaitSeconds);
  gauge("pushpals_stuck_job_ratio", `Stuck-job rate: ${d.stuck}.`, queue.stuckRate);
  gauge("pushpals_jobs_stuck", "Jobs created in the window that got stuck.", queue.stuck);
  gauge("pushpals_retry_storm_ratio", `Retry-storm rate: ${d.retryStorm}.`, queue.retryStormRate);
  gauge("pushpals_jobs_retry_storm", `Jobs created in the window with more than ${snapshot.thresholds.retryStormAttempts} counted attempts.`, queue.retryStorms);

  const files = new Gauge({ name: "pushpals_conflict_files_resolved", help: `Conflicts resolved automatically: ${d.conflictsResolved}.`, labelNames: ["strategy"] as const, registers: [registry] });
  for (const strategy of CONFLICT_STRATEGIES) files.set({ strategy }, conflicts.byStrategy[strategy]);
  gauge("pushpals_conflict_resolutions", "resolve-conflict jobs created in the window that made a new head for their PR.", conflicts.resolved);
  gauge("pushpals_conflict_manual_interventions", `Manual interventions: ${d.manualInterventions}.`, conflicts.manualInterventions);
  gauge("pushpals_conflict_automatic_ratio", "Of the resolve-conflict jobs created in the window that found a conflict, the share resolved with no person.", conflicts.rate);

  // One series per UTC day with model usage in the window (at most the 90 kept days).
  const perDay = (name: string, help: string, value: (d: MetricsSnapshot["models"]["days"][number]) => number) => {
    const g = new Gauge({ name, help, labelNames: ["day"] as const, registers: [registry] });
    for (const day of snapshot.models.days) g.set({ day: day.day }, value(day));
  };
  perDay("pushpals_model_tokens", `Model tokens and cost per day: ${d.modelUsage}. Tokens, input and output.`, (day) => day.tokens);
  perDay("pushpals_model_cost_usd", "Model cost per UTC day, US dollars.", (day) => day.costUsd);
  perDay("pushpals_model_exchanges", "Model exchanges recorded per UTC day.", (day) => day.exchanges);
  return registry.metrics();
}
