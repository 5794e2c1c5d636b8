import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boundedText } from "../../core/bounded-text.ts";
import { PushpalsError } from "../../core/errors.ts";
import { JobFailure, JobParked } from "../../core/job-failure.ts";
import { sweepDeadProcessDirs } from "../../deps/dead-process-dirs.ts";
import { WORKER_TOOLS, withTools } from "../../deps/package-manager-tools.ts";
import { FORWARDER_PORT } from "../../egress/forwarder-port.ts";
import { modelProxyEgress, startModelProxy, type ProxiedExchange } from "../../egress/model-proxy.ts";
import type { AgentCliDefinition, AgentCliRun } from "../../models/executors/agent-cli.ts";
import { findAgentCli } from "../../models/executors/find-agent-cli.ts";
import { agentCliById } from "../../models/executors/registry.ts";
import { jobBudgetMeter } from "../../models/budget.ts";
import { costOf } from "../../models/model-client.ts";
import { readModelKey } from "../../models/model-key.ts";
import { modelProviderById } from "../../models/providers/registry.ts";
import { shellLine } from "../../core/shell-quote.ts";
import { outOfMemoryFailure } from "../../sandbox/out-of-memory.ts";
import { runCommand } from "../../sandbox/run-command.ts";
import { sandboxFor } from "../../sandbox/sandbox-for.ts";
import type { SandboxSpec } from "../../sandbox/sandbox-spec.ts";
import { hiddenInSandbox } from "../../sandbox/visible-path.ts";
import { listWorktreeChanges } from "../../scm/changes.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { registerSecret } from "../../secrets/redact.ts";
import { checksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import type { AgentRunInput, AgentRunResult } from "./agent-run-input.ts";
import { agentCliPrompt } from "./cli-prompt.ts";
import { proposeAgentChange } from "./propose-agent-change.ts";

/** Each run's private directory (the proxy's socket) in the temp dir, swept when its worker is gone. */
const SCRATCH_PREFIX = "pushpals-model-";
const SCRATCH_PATTERN = /^pushpals-model-(\d+)-/;
const MAX_COMMAND_CHARS = 4096;
const MAX_EXCHANGE_COMMAND_CHARS = 8192;

/**
 * `models.executor` = an agent CLI (codex, claude, opencode, aider): the task goes to the CLI, run ONCE in
 * the sandbox of a fresh checkout of the base, with no network but the model proxy (started here, per job,
 * outside the sandbox, holding the key read host-side; reached through the egress forwarder on the
 * sandbox's own loopback). The CLI is given a dummy key and the proxy's address only. Every request the
 * proxy forwards is one recorded exchange, charged to the job's BudgetMeter; a budget reached refuses the
 * next request and stops the CLI (budget_exceeded); its time limit is what is left of the job's wall time.
 * Then what changed goes through proposeChange as the built-in loop's change does (reproduce-first in bug_fix mode).
 */
export async function runAgentCli(input: AgentRunInput, ctx: JobContext): Promise<AgentRunResult> {
  const settings = ctx.config.models;
  if (settings.provider === null || settings.model === null) {
    throw new PushpalsError("config_invalid", "no model is configured: model-backed work needs [models] in .pushpals/config.toml", { field: "models.provider" });
  }
  const cli = agentCliById(settings.executor);
  const provider = modelProviderById(settings.provider);
  const label = `${provider.id}/${settings.model}`;
  if (ctx.sandbox.mode === "off") {
    throw new JobFailure("policy_denied", `models.executor = "${cli.id}" runs the agent CLI only inside the sandbox (its network is the model proxy alone), and sandbox.mode is "off": turn the sandbox on, or set models.executor = "builtin"`, { notRetryable: "the sandbox is off" });
  }
  const baseUrl = settings.base_url ?? provider.defaultBaseUrl;
  if (baseUrl === null) throw new PushpalsError("config_invalid", `${provider.id} needs models.base_url`, { field: "models.base_url" });
  const key = readModelKey(settings, { env: process.env, repoRoot: ctx.paths.repoRoot });
  // This worker removes the key's exact value from every text it redacts from now on (logs, exchanges, failures).
  if (key) registerSecret(key.value);
  const { budget } = settings;
  const meter = jobBudgetMeter(budget, await ctx.modelUsageToday());
  const checkout = await jobCheckout(ctx, input.baseCommit);
  let scratch: string | null = null;
  try {
    const checks = await checksAtBase(ctx.paths.repoRoot, input.baseCommit);
    await ctx.progress({ step: "dependencies" }).catch(() => {});
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, checks.install);
    const base = withTools({ sandbox: sandboxFor(ctx, checkout.dir, { network: false, mounts: dependencies?.mounts ?? [] }) }, dependencies?.tools ?? WORKER_TOOLS).sandbox as SandboxSpec;
    const found = findAgentCli(cli, { path: process.env.PATH ?? "", hidden: (path) => hiddenInSandbox(path, base) });
    if (!found.found) throw new JobFailure("environment", `models.executor = "${cli.id}": ${found.why}: ${found.fix}`, { notRetryable: found.why });

    sweepDeadProcessDirs(tmpdir(), SCRATCH_PATTERN, { ownedOnly: true });
    scratch = realpathSync(mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`)));
    const stop = new AbortController();
    // Why the run was ended from outside the CLI (a budget, a pause), set by the proxy's callbacks.
    const state: { ended: JobFailure | JobParked | null } = { ended: null };
    const end = (failure: JobFailure | JobParked) => {
      state.ended ??= failure;
      proxy.stop(failure.message);
      stop.abort();
    };
    const totals = { tokens: 0, costUsd: 0, requests: 0 };
    const recording: Promise<void>[] = [];
    const invocation: AgentCliRun = { prompt: agentCliPrompt(input.task, input.scope, input.baseBranch), model: settings.model, provider: settings.provider, proxyUrl: `http://127.0.0.1:${FORWARDER_PORT}` };
    const argv = [found.path, ...cli.argv(invocation)];
    const shown = shownCommand(argv);
    const record = (exchange: ProxiedExchange, costUsd: number) => {
      const note = `${exchange.method} ${exchange.path} answered ${exchange.status}${exchange.model ? ` (model ${exchange.model})` : ""}${exchange.estimated ? "; no usage in the answer, tokens counted from its size" : ""}`;
      const recorded = ctx
        .recordModelExchange({
          step: exchange.index,
          model: label,
          sent: [{ role: "user", content: exchange.request }],
          reply: exchange.response,
          usage: exchange.usage,
          costUsd,
          durationMs: exchange.durationMs,
          action: { kind: "command", command: boundedText(shown, MAX_EXCHANGE_COMMAND_CHARS), exitCode: null, note },
        })
        .then(
          () => meter.recorded(exchange.usage, costUsd),
          (err: unknown) => ctx.log("system", `agent: request ${exchange.index} could not be recorded: ${err instanceof Error ? err.message : String(err)}`),
        );
      recording.push(recorded);
    };
    const proxy = await startModelProxy({
      socketPath: join(scratch, "model.sock"),
      provider,
      baseUrl,
      key: key?.value ?? null,
      self: [`127.0.0.1:${FORWARDER_PORT}`, `localhost:${FORWARDER_PORT}`],
      requestTimeoutMs: settings.request_timeout_seconds * 1000,
      log: (line) => ctx.log("system", line),
      async admit({ method }) {
        if (state.ended) return state.ended.message;
        if (await ctx.isPaused().catch(() => false)) {
          end(new JobParked("paused while the agent CLI ran; the job runs again with `pushpals resume`"));
          return "PushPals is paused";
        }
        // A completion is a step of the job's budget, as one model call of the built-in loop is.
        if (method !== "POST") return null;
        try {
          const seen = await ctx.modelUsageToday(meter.day).catch((err: unknown) => void ctx.log("system", `agent: the day's usage could not be read again (${err instanceof Error ? err.message : String(err)})`));
          if (seen) meter.seeDay(seen);
          meter.step();
          return null;
        } catch (err) {
          if (!(err instanceof JobFailure)) throw err;
          end(err);
          return err.message;
        }
      },
      onUsage(exchange) {
        const costUsd = costOf(exchange.usage, settings.prices);
        totals.tokens += exchange.usage.inputTokens + exchange.usage.outputTokens;
        totals.costUsd += costUsd;
        totals.requests++;
        record(exchange, costUsd);
        try {
          meter.charge(exchange.usage, costUsd);
        } catch (err) {
          if (err instanceof JobFailure) end(err);
          else throw err;
        }
      },
    });

    const leftMs = Math.max(1000, budget.job_wall_seconds * 1000 - meter.used.elapsedSeconds * 1000);
    let sandbox: SandboxSpec = base;
    let run: Awaited<ReturnType<typeof runCommand>>;
    try {
      sandbox = { ...base, network: false, egress: modelProxyEgress(proxy, FORWARDER_PORT) };
      ctx.log("system", `agent: ${cli.id} (${found.real}) with ${label} through the model proxy; budget ${budget.job_steps} requests, ${budget.job_tokens} tokens, $${budget.job_cost_usd}, ${Math.round(leftMs / 1000)} s`);
      await ctx.progress({ step: "agent-cli", executor: cli.id }).catch(() => {});
      run = await runCommand(shellLine(argv), {
        cwd: checkout.dir,
        timeoutMs: leftMs,
        signal: AbortSignal.any([ctx.signal, stop.signal]),
        env: { ...cli.env(invocation), PUSHPALS_JOB_ID: ctx.job.id },
        onLine: (stream, line) => ctx.log(stream, line),
        sandbox,
      });
    } finally {
      await proxy.close();
      await Promise.all(recording);
    }
    const counted = proxy.counters();
    await ctx.recordCommand({ command: boundedText(shown, MAX_COMMAND_CHARS), exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
    ctx.log("system", `agent: ${cli.id} exited ${run.exitCode ?? run.signal}: ${counted.requests} requests forwarded (${counted.inputTokens} tokens in, ${counted.outputTokens} out), ${counted.refused} refused`);
    const evidence = { command: boundedText(shown, MAX_COMMAND_CHARS), exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
    if (ctx.signal.aborted) throw new JobFailure("cancelled", `stopped while ${cli.id} ran`, evidence);
    if (state.ended) throw state.ended;
    if (run.timedOut) {
      meter.check();
      throw new JobFailure("budget_exceeded", `the job's wall time is used up: ${cli.id} ran past ${Math.round(leftMs / 1000)} s and was stopped (raise models.budget.job_wall_seconds in [models.budget])`, evidence);
    }
    if (run.outOfMemory) throw outOfMemoryFailure(cli.id, sandbox, evidence);
    if (run.outputLimited) throw new JobFailure("environment", `${cli.id} printed more than the sandbox's output limit and was stopped (sandbox.max_output_mb)`, evidence);
    if (run.exitCode === 127 || run.exitCode === 126) throw new JobFailure("environment", `${found.path} could not be run inside the sandbox (exit ${run.exitCode}): ${cli.install}`, { ...evidence, notRetryable: `${cli.id} does not run in the sandbox` });
    if (run.exitCode !== 0) throw new JobFailure("model_error", `${cli.id} exited ${run.exitCode ?? run.signal} (its output is in the job's log)`, evidence);

    await removeLeftovers(cli, checkout);
    const usage = `Made by ${cli.id} with ${label} through the PushPals model proxy: ${totals.requests} requests, ${totals.tokens} tokens, $${totals.costUsd.toFixed(4)} (the requests: \`pushpals logs ${ctx.job.id} --model\`).`;
    const trailers = { "PushPals-Model": label, "PushPals-Executor": cli.id };
    const pr = await proposeAgentChange(ctx, checkout, input, { nothing: `${cli.id} ended without changing any file`, usage, trailers, checks, unpinned: dependencies?.unpinned });
    return { pr, steps: meter.steps, tokens: totals.tokens, costUsd: totals.costUsd, model: `${cli.id} with ${label}` };
  } finally {
    removeCheckout(checkout);
    if (scratch !== null) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The argv as one line for the records, the prompt (the task, already in the job's input) left out. */
function shownCommand(argv: string[]): string {
  return argv.map((word) => (word.length > 200 ? `<${word.length} characters: the task>` : word)).join(" ");
}

/** The CLI's own caches in the checkout, when the base commit did not have them: never part of the change. */
async function removeLeftovers(cli: AgentCliDefinition, checkout: Parameters<typeof listWorktreeChanges>[0]): Promise<void> {
  if (cli.leftovers.length === 0) return;
  for (const change of await listWorktreeChanges(checkout)) {
    if (change.status !== "added") continue;
    const top = change.path.split("/")[0]!;
    if (cli.leftovers.includes(top)) rmSync(join(checkout.dir, top), { recursive: true, force: true });
  }
}
