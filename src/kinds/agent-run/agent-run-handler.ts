import { createHash } from "node:crypto";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { WORKER_TOOLS, withTools } from "../../deps/package-manager-tools.ts";
import { jobBudgetMeter, LoopDetector } from "../../models/budget.ts";
import { costOf, createModelClient } from "../../models/model-client.ts";
import { BUILTIN_EXECUTOR } from "../../models/executors/registry.ts";
import type { ModelMessage } from "../../models/model-types.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import { listWorktreeChanges } from "../../scm/changes.ts";
import { removeCheckout, type JobCheckout } from "../../scm/worktree.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import { proposeAgentChange } from "./propose-agent-change.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import type { CheckPlace } from "../common/run-checks.ts";
import { observation, parseAgentReply } from "./agent-action.ts";
import type { AgentRunInput, AgentRunResult } from "./agent-run-input.ts";
import { agentPrompt } from "./agent-prompt.ts";

const MAX_OUTPUT_CHARS = 200_000;

/**
 * The built-in agent loop (in the style of mini-swe-agent): the model, called host-side by this worker
 * with the key only it holds, proposes one shell command per step; the command runs in the sandbox with
 * no network in a fresh checkout of the base; its exit code and bounded output go back; the budgets and
 * loop rules are checked every step; every exchange is recorded (redacted by the server). When the model
 * submits, what changed goes through proposeChange: the scoped commit, the checks on the exact commit,
 * the PR, the review and the gates, as for any change.
 */
export async function runAgent(input: AgentRunInput, ctx: JobContext): Promise<AgentRunResult> {
  const settings = ctx.config.models;
  // An agent CLI instead of this loop: run once in the sandbox, through the model proxy (agent-cli-run.ts).
  if (settings.executor !== BUILTIN_EXECUTOR) return (await import("./agent-cli-run.ts")).runAgentCli(input, ctx);
  const client = createModelClient(settings, process.env, { repoRoot: ctx.paths.repoRoot, registerKey: true });
  const { budget } = settings;
  const today = await ctx.modelUsageToday();
  const meter = jobBudgetMeter(budget, today);
  const loops = new LoopDetector({ repeats: budget.loop_repeats, noProgressSteps: budget.no_progress_steps });
  const checkout = await jobCheckout(ctx, input.baseCommit);
  try {
    const checks = await checksAtBase(ctx.paths.repoRoot, input.baseCommit);
    await ctx.progress({ step: "dependencies" }).catch(() => {});
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, checks.install);
    const place: CheckPlace = { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools };
    const messages: ModelMessage[] = agentPrompt(input.task, input.scope, input.baseBranch);
    let sentFrom = 0;
    const outputs = new Set<string>();
    let tokens = 0;
    let cost = 0;
    ctx.log("system", `agent: ${client.label}, budget ${budget.job_steps} steps, ${budget.job_tokens} tokens, $${budget.job_cost_usd} per job`);
    for (let step = 1; ; step++) {
      if (ctx.signal.aborted) throw new JobFailure("cancelled", `stopped before step ${step}`);
      if (step > 1 && (await ctx.isPaused())) throw new JobParked(`paused after step ${step - 1}; the job runs again with \`pushpals resume\``);
      // Other jobs' usage since the last call counts against the day's budget too.
      const seen = step > 1 ? await ctx.modelUsageToday(meter.day).catch((err: unknown) => void ctx.log("system", `agent: the day's usage could not be read again (${err instanceof Error ? err.message : String(err)}); going on with what was seen`)) : null;
      if (seen) meter.seeDay(seen);
      meter.step();
      meter.check();
      await ctx.progress({ step: "model", index: step }).catch(() => {});
      // A reply never runs past the tokens a budget has left.
      const room = meter.remainingTokens();
      const reply = await client.complete(messages, { signal: ctx.signal, maxOutputTokens: Math.max(1, Math.min(settings.max_output_tokens, room ?? Infinity)) });
      const stepCost = costOf(reply.usage, settings.prices);
      tokens += reply.usage.inputTokens + reply.usage.outputTokens;
      cost += stepCost;
      messages.push({ role: "assistant", content: reply.text });
      const action = parseAgentReply(reply.text);
      const sent = messages.slice(sentFrom, -1);
      sentFrom = messages.length;
      const record = (kind: "command" | "submit" | "refused", command: string | null, exitCode: number | null, note: string | null) =>
        ctx.recordModelExchange({ step, model: client.label, sent, reply: reply.text, usage: reply.usage, costUsd: stepCost, durationMs: reply.durationMs, action: { kind, command, exitCode, note } }).then(() => meter.recorded(reply.usage, stepCost), (err: unknown) => {
          ctx.log("system", `agent: step ${step} could not be recorded: ${err instanceof Error ? err.message : String(err)}`);
        });
      try {
        meter.charge(reply.usage, stepCost);
      } catch (err) {
        // The call that reached a budget is recorded too: the usage of the day and the job counts it.
        await record("refused", null, null, "a budget was reached with this reply: it was not used");
        throw err;
      }
      if (action.kind === "submit") {
        await record("submit", null, null, null);
        ctx.log("system", `agent: step ${step}: the model submitted (${tokens} tokens, $${cost.toFixed(4)})`);
        break;
      }
      if (action.kind === "refused") {
        await record("refused", null, null, action.why);
        ctx.log("system", `agent: step ${step}: ${action.why}`);
        messages.push({ role: "user", content: `Your reply was not used: ${action.why}.` });
        loops.observe({ command: null, diffHash: await diffHash(checkout), progressed: false });
        meter.check();
        continue;
      }
      ctx.log("system", `agent: step ${step}: $ ${action.command.split("\n")[0]!.slice(0, 300)}`);
      const ran = await runStep(ctx, place, action.command, input.commandTimeoutSeconds);
      await record("command", action.command, ran.exitCode, ran.note);
      messages.push({ role: "user", content: observation(ran.exitCode, ran.output) });
      // Progress is output not seen before in this job (the same listing again says nothing new), or a new diff (the detector's own).
      const heard = createHash("sha256").update(`${ran.exitCode}\n${ran.output}`).digest("hex");
      const progressed = !outputs.has(heard);
      outputs.add(heard);
      loops.observe({ command: action.command, diffHash: await diffHash(checkout), progressed });
      meter.check();
    }
    const usage = `Made by the agent loop with ${client.label}: ${tokens} tokens, $${cost.toFixed(4)} (the transcript: \`pushpals logs ${ctx.job.id} --model\`).`;
    const pr = await proposeAgentChange(ctx, checkout, input, { nothing: "the model submitted without changing any file", usage, trailers: { "PushPals-Model": client.label }, checks, unpinned: dependencies?.unpinned });
    return { pr, steps: meter.steps, tokens, costUsd: cost, model: client.label };
  } finally {
    removeCheckout(checkout);
  }
}

/** One proposed command in the sandbox, no network: exit code and the output the model reads (bounded). */
async function runStep(ctx: JobContext, place: CheckPlace, command: string, timeoutSeconds: number): Promise<{ exitCode: number | null; output: string; note: string | null }> {
  const { sandbox, env } = withTools({ sandbox: sandboxFor(ctx, place.dir, { network: false, mounts: place.mounts }), env: { PUSHPALS_JOB_ID: ctx.job.id } }, place.tools ?? WORKER_TOOLS);
  let output = "";
  const run = await runCommand(command, {
    cwd: place.dir,
    timeoutMs: timeoutSeconds * 1000,
    signal: ctx.signal,
    env,
    onLine: (stream, line) => {
      ctx.log(stream, line);
      if (output.length < MAX_OUTPUT_CHARS) output += `${line}\n`;
    },
    sandbox,
  });
  await ctx.recordCommand({ command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  if (run.aborted) throw new JobFailure("cancelled", "stopped while a command ran", { command });
  const note = run.timedOut ? `it ran past ${timeoutSeconds}s and was stopped` : run.outputLimited ? "it printed more than the output limit and was stopped" : run.outOfMemory ? "it ran out of memory" : null;
  return { exitCode: run.exitCode, output: note ? `${output}\n[${note}]` : output, note };
}

/** What the checkout holds now, as one hash: the same diff twice means the model went in a circle. */
async function diffHash(checkout: JobCheckout): Promise<string> {
  const changes = await listWorktreeChanges(checkout);
  const lines = changes.map((c) => `${c.status} ${c.oldPath ?? ""} ${c.path} ${c.blob ?? ""} ${c.mode ?? ""}`).sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex");
}
