import type { Command } from "commander";
import type { MemoryTotal, ProcessMemory } from "../../api/records.ts";
import { isPushpalsError } from "../../core/errors.ts";
import { runtimeLiveness } from "../../runtime-dir/liveness.ts";
import { isProcessAlive } from "../../runtime-dir/server-file.ts";
import { readSupervisorInfo } from "../../runtime-dir/supervisor-file.ts";
import { routes } from "../../api/routes.ts";
import type { ComponentStatus, StatusSnapshot, SupervisorProcess } from "../../api/responses.ts";
import { cliContext, type CliContext } from "../context.ts";
import type { ModelUsageDay } from "../../models/model-usage.ts";
import { dollars, tokenCount } from "./model-logs-action.ts";
import { EXIT } from "../../core/exit-codes.ts";
import { age, mebibytes, printJson, table, type Cell } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { style } from "../style.ts";

export async function runStop(program: Command, opts: { timeout: number }): Promise<void> {
  const ctx = await cliContext(program.opts());
  // Only a pid whose lock is held is ours: a stale file's pid may belong to anything by now.
  const live = runtimeLiveness(ctx.paths);
  const target = live.supervisorPid ?? live.serverPid;
  if (target === null) {
    process.stdout.write("PushPals is not running for this repository\n");
    return;
  }
  process.kill(target, "SIGTERM");
  const deadline = Date.now() + Number(opts.timeout) * 1000;
  let shown = 0;
  while (isProcessAlive(target)) {
    if (Date.now() > deadline) {
      process.stderr.write(`pushpals: pid ${target} is still running after ${opts.timeout}s\n  fix: look at ${ctx.paths.logsDir}, or kill -9 ${target}\n`);
      process.exitCode = EXIT.failed;
      return;
    }
    if (Date.now() - shown > 2_000) {
      if (shown) process.stdout.write("still stopping (workers first return any running job to the queue)...\n");
      shown = Date.now();
    }
    await Bun.sleep(25);
  }
  process.stdout.write(`stopped (pid ${target})\n`);
}

export async function runStatus(program: Command, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const supervisorPid = runtimeLiveness(ctx.paths).supervisorPid;
  const supervisor = supervisorPid === null ? null : readSupervisorInfo(ctx.paths.supervisorFile);
  let snapshot: StatusSnapshot;
  try {
    snapshot = await ctx.client.call(routes.status);
  } catch (err) {
    if (!isPushpalsError(err, "server_unreachable")) throw err;
    if (opts.json) printJson({ online: false, url: null, supervisor: null, components: [], counts: {}, stuck: [] });
    else process.stdout.write("PushPals is not running for this repository\n  start it with `pushpals start`\n");
    process.exitCode = EXIT.unreachable;
    return;
  }
  const url = ctx.client.url();
  const now = Date.now();
  const oldestQueuedAgeMs = snapshot.oldestQueuedAt === null ? null : now - snapshot.oldestQueuedAt;
  const live = supervisor;
  const models = await modelUsageToday(ctx);
  if (opts.json) return printJson({ online: true, url, supervisor: live, ...snapshot, oldestQueuedAgeMs, ...(models ? { modelUsage: models } : {}) });
  const header = live ? `supervisor pid ${live.pid}, ${visible(live.state)}, up ${age(live.startedAt, now)}` : "server only (no supervisor)";
  process.stdout.write(`PushPals ${style.green("online")} at ${visible(url)} (${header})\n`);
  if (snapshot.restartNeeded.length > 0) {
    process.stdout.write(`${style.yellow("config changed")} since start; the running components apply it after a restart (pushpals stop && pushpals start):\n${snapshot.restartNeeded.map((l) => `  ${visible(l)}\n`).join("")}`);
  }
  if (snapshot.paused) process.stdout.write(`${style.yellow("PAUSED")} since ${age(snapshot.paused.at, now)} ago by ${visible(snapshot.paused.by)}: ${visible(snapshot.paused.reason)} (resume: pushpals resume)\n`);
  process.stdout.write("\n");
  process.stdout.write(`${componentsTable(snapshot.components, snapshot.supervisorProcess ?? null, now)}\n`);
  if (snapshot.memoryTotal) process.stdout.write(`${memoryTotalLine(snapshot.memoryTotal)}\n`);
  process.stdout.write("\n");
  const counts = Object.entries(snapshot.counts).map(([state, n]) => `${n} ${visible(state)}`).join(", ") || "no jobs";
  process.stdout.write(`jobs: ${counts}${oldestQueuedAgeMs === null ? "" : `; oldest queued ${age(snapshot.oldestQueuedAt!, now)}`}\n`);
  if (snapshot.work) process.stdout.write(`${workLine(snapshot.work)}\n`);
  if (models) process.stdout.write(`${modelsLine(models)}\n`);
  for (const s of snapshot.stuck) process.stdout.write(`${style.yellow("stuck")} ${visible(s.id)} (${visible(s.kind)}, ${visible(s.state)}): ${visible(s.why)}\n`);
}

export interface ModelsToday {
  today: ModelUsageDay;
  /** `[models.budget]` day_tokens and day_cost_usd of the running server's config; null when it names no provider. */
  budget: { dayTokens: number; dayCostUsd: number } | null;
}

/** Today's model usage, when a model is configured or anything was used today; null otherwise (and when it cannot be read). The config is the server's: status never loads it. */
async function modelUsageToday(ctx: CliContext): Promise<ModelsToday | null> {
  const reply = await ctx.client.call(routes.modelUsage, { query: {} }).catch(() => null);
  if (!reply || (reply.exchanges === 0 && !reply.budget)) return null;
  const { budget, ...today } = reply;
  return { today, budget };
}

/** `models: today 12,345 tokens of 3,000,000, $0.0420 of $20.00 (3 model exchanges, 1 job)`. */
export function modelsLine({ today, budget }: ModelsToday): string {
  const tokens = `${tokenCount(today.tokens)} tokens${budget ? ` of ${tokenCount(budget.dayTokens)}` : ""}`;
  const cost = `${dollars(today.costUsd)}${budget ? ` of ${dollars(budget.dayCostUsd)}` : ""}`;
  const reached = budget !== null && ((today.tokens >= budget.dayTokens && today.tokens > 0) || (today.costUsd >= budget.dayCostUsd && today.costUsd > 0));
  const counts = `${today.exchanges} model exchange${today.exchanges === 1 ? "" : "s"}, ${today.jobs} job${today.jobs === 1 ? "" : "s"}`;
  return `models: today (UTC) ${tokens}, ${cost} (${counts})${reached ? ` ${style.yellow("day budget reached")}: raise models.budget.day_tokens or day_cost_usd` : ""}`;
}

function componentsTable(components: ComponentStatus[], supervisor: SupervisorProcess | null, now: number): string {
  if (components.length === 0) return "no components have reported";
  // No column at all where the OS has no /proc: a column of dashes would say nothing.
  const withMemory = Boolean(supervisor?.memory) || components.some((c) => Boolean(c.memory));
  const rows: Cell[][] = [["COMPONENT", "ROLE", "PID", "STATE", "HEARTBEAT", "RESTARTS", ...(withMemory ? ["MEMORY"] : [])]];
  for (const c of components) {
    const paint = c.state === "ready" ? style.green : c.state === "failed" || c.state === "crashed" ? style.red : null;
    const state: Cell = paint ? { text: c.state, paint } : c.state;
    const memory = withMemory ? [memoryCell(c.memory ?? null)] : [];
    rows.push([c.name, c.role, String(c.pid ?? "-"), state, c.lastHeartbeatAt ? `${age(c.lastHeartbeatAt, now)} ago` : "-", String(c.restarts), ...memory]);
  }
  if (withMemory && supervisor) rows.push(["supervisor", "supervisor", String(supervisor.pid), "-", "-", "-", memoryCell(supervisor.memory)]);
  return table(rows);
}

function memoryCell(memory: ProcessMemory | null): string {
  if (!memory) return "-";
  return memory.pssBytes === null ? `rss ${mebibytes(memory.rssBytes)}` : `pss ${mebibytes(memory.pssBytes)}  rss ${mebibytes(memory.rssBytes)}`;
}

/** PSS first: RSS counts the pages every Bun process shares (the executable) once per process. */
function memoryTotalLine(total: MemoryTotal): string {
  const rss = `rss ${mebibytes(total.rssBytes)}`;
  const of = `${total.processes} process${total.processes === 1 ? "" : "es"}`;
  return total.pssBytes === null ? `memory: ${rss} over ${of}` : `memory: pss ${mebibytes(total.pssBytes)} over ${of} (${rss}, counting shared pages once per process)`;
}

/** `work: 3 open, 1 dispatched, 1 blocked (1 question: pushpals plan); dispatch on, 4 in flight at most, 30 per hour`. */
function workLine(work: NonNullable<StatusSnapshot["work"]>): string {
  const counts = Object.entries(work.counts).map(([state, n]) => `${n} ${state}`).join(", ") || "no open items";
  const questions = work.questions > 0 ? ` (${work.questions} question${work.questions === 1 ? "" : "s"}: pushpals plan)` : "";
  const { limits } = work;
  const perDay = limits.dispatches_per_day !== undefined ? `, ${limits.dispatches_per_day} per day` : "";
  const wall = limits.item_wall_time_minutes !== undefined ? `, ${limits.item_wall_time_minutes} min per item` : "";
  const dispatch = limits.dispatch ? `dispatch on, ${limits.max_in_flight} in flight at most, ${limits.dispatches_per_hour} per hour${perDay}${wall}` : "dispatch off (remote_agent.dispatch = false)";
  const lines = [`work: ${counts}${questions}; ${dispatch}${limits.check_base ? "; checks every new base head" : ""}`];
  for (const hold of work.holds) lines.push(`  held: ${visible(hold)}`);
  for (const q of work.openQuestions) lines.push(`  ${visible(q.item)} asks${q.escalation ? ` (${q.escalation})` : ""}: ${visible(q.question)}`);
  return lines.join("\n");
}
