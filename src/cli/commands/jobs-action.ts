import type { Command } from "commander";
import { JobState } from "../../core/job-states.ts";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { buildChecksInput } from "../../kinds/checks/build-checks-input.ts";
import { cliContext } from "../context.ts";
import { jobDetail, jobsTable, printJson } from "../format.ts";
import { visible } from "../../core/safe-text.ts";
import { modelUsageText } from "./model-logs-action.ts";

export async function runEnqueue(program: Command, kind: string, opts: { input: string; commit: string; priority?: number; dedupeKey?: string; maxAttempts?: number; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(opts.input) as Record<string, unknown>;
  } catch {
    throw new PushpalsError("invalid_input", "--input is not valid JSON", { field: "input" });
  }
  if (kind === "checks") input = { ...(await buildChecksInput(ctx.paths.repoRoot, ctx.config(), opts.commit)), ...input };
  const body = { kind, input, priority: opts.priority, dedupeKey: opts.dedupeKey, maxAttempts: opts.maxAttempts ?? ctx.config().jobs.max_attempts };
  const data = await ctx.client.call(routes.enqueueJob, { body });
  if (opts.json) return printJson(data);
  process.stdout.write(`${data.deduped ? "already queued" : "enqueued"} ${visible(data.job.id)} (${visible(data.job.kind)}, ${visible(data.job.state)})\n`);
}

export async function runJobs(program: Command, opts: { state?: string; kind?: string; limit: number; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  // The state is the user's word as given: the server refuses an unknown one, naming the field.
  const query = { limit: opts.limit, newest: "1" as const, state: (opts.state || undefined) as JobState | undefined, kind: opts.kind || undefined };
  const data = await ctx.client.call(routes.listJobs, { query });
  if (opts.json) return printJson(data);
  process.stdout.write(`${jobsTable(data.jobs)}\n`);
}

export async function runJob(program: Command, id: string, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.getJob, { params: { id } });
  // Its model usage (every attempt) when it has any: the transcript is `pushpals logs <id> --model`.
  const { usage } = await ctx.client.call(routes.modelExchanges, { params: { id }, query: { limit: 0 } });
  const modelUsage = usage.exchanges > 0 ? usage : undefined;
  if (opts.json) return printJson({ ...data, ...(modelUsage ? { modelUsage } : {}) });
  const model = modelUsage ? [`  model      ${modelUsageText(modelUsage)} (pushpals logs ${visible(data.job.id)} --model)`] : [];
  process.stdout.write(`${jobDetail(data.job, data.transitions, model)}\n`);
}

export async function runCancel(program: Command, id: string, opts: { reason?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.cancelJob, { params: { id }, body: { reason: opts.reason } });
  if (opts.json) return printJson(data);
  const { job } = data;
  process.stdout.write(job.state === "running" ? `cancel requested for ${visible(job.id)}; the worker will stop it\n` : `${visible(job.id)} is ${visible(job.state)}\n`);
}


