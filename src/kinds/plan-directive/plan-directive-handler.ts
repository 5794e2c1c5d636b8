import { JobFailure } from "../../core/job-failure.ts";
import { jobBudgetMeter } from "../../models/budget.ts";
import { costOf, createModelClient } from "../../models/model-client.ts";
import type { ModelMessage } from "../../models/model-types.ts";
import { git } from "../../scm/git.ts";
import type { JobContext } from "../common/job-context.ts";
import { parsePlan } from "./parse-plan.ts";
import { planPrompt } from "./plan-prompt.ts";
import type { PlanDirectiveInput, PlanDirectiveResult } from "./plan-directive-input.ts";

const ATTEMPTS = 2;
const MAX_PATHS = 5_000;

/**
 * The planner: one model call (host-side, with the key only this worker holds) turns the directive into
 * tasks, told the repository's files at the exact base commit; a reply that is not a plan is answered once
 * with why, then the job fails `model_error`. Each exchange is recorded; the job's budget applies. Nothing
 * is run and nothing is written: the tasks go back to the RemoteAgent, whose policy classifies each.
 */
export async function planDirective(input: PlanDirectiveInput, ctx: JobContext): Promise<PlanDirectiveResult> {
  const settings = ctx.config.models;
  const client = createModelClient(settings, process.env, { repoRoot: ctx.paths.repoRoot, registerKey: true });
  const meter = jobBudgetMeter(settings.budget, await ctx.modelUsageToday());
  const listed = await git(["ls-tree", "-r", "-z", "--name-only", input.baseCommit], { cwd: ctx.paths.repoRoot, allowFailure: true });
  if (listed.exitCode !== 0) throw new JobFailure("invalid_input", `the base commit ${input.baseCommit.slice(0, 12)} cannot be read: ${listed.stderr.trim().slice(0, 300)}`, { command: "git ls-tree" });
  const paths = listed.stdout.split("\u0000").filter(Boolean).slice(0, MAX_PATHS);
  const messages: ModelMessage[] = planPrompt(input.task, paths);
  let sentFrom = 0;
  let tokens = 0;
  let cost = 0;
  ctx.log("system", `planner: ${client.label}, the directive as at most 5 tasks`);
  for (let step = 1; step <= ATTEMPTS; step++) {
    meter.step();
    await ctx.progress({ step: "plan", index: step }).catch(() => {});
    const room = meter.remainingTokens();
    const reply = await client.complete(messages, { signal: ctx.signal, maxOutputTokens: Math.max(1, Math.min(settings.max_output_tokens, room ?? Infinity)) });
    const stepCost = costOf(reply.usage, settings.prices);
    tokens += reply.usage.inputTokens + reply.usage.outputTokens;
    cost += stepCost;
    const sent = messages.slice(sentFrom);
    messages.push({ role: "assistant", content: reply.text });
    sentFrom = messages.length;
    const parsed = parsePlan(reply.text);
    const note = "why" in parsed ? parsed.why : null;
    await ctx
      .recordModelExchange({ step, model: client.label, sent, reply: reply.text, usage: reply.usage, costUsd: stepCost, durationMs: reply.durationMs, action: { kind: note ? "refused" : "submit", command: null, exitCode: null, note } })
      .catch((err: unknown) => ctx.log("system", `planner: step ${step} could not be recorded: ${err instanceof Error ? err.message : String(err)}`));
    meter.charge(reply.usage, stepCost);
    if ("plan" in parsed) {
      ctx.log("system", `planner: ${parsed.plan.tasks.length} task(s): ${parsed.plan.tasks.map((t) => t.goal).join("; ").slice(0, 500)}`);
      return { tasks: parsed.plan.tasks, model: client.label, tokens, costUsd: cost };
    }
    ctx.log("system", `planner: step ${step}: not a plan: ${parsed.why}`);
    messages.push({ role: "user", content: `That is not a plan: ${parsed.why}. Reply with only the JSON object.` });
  }
  throw new JobFailure("model_error", `the model's reply was not a plan twice (the last: ${messages.at(-1)!.content.slice(0, 300)})`, { notRetryable: "the model does not write the plan's format" });
}
