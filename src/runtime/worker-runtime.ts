import { routes } from "../api/routes.ts";
import { checkoutPathsFor } from "../runtime-dir/unsandboxed-checkouts.ts";
import { retryUnreachable, type ApiClient } from "../client/api-client.ts";
import { failureClassOfError } from "../core/error-classes.ts";
import { isPushpalsError, PushpalsError } from "../core/errors.ts";
import type { Failure } from "../core/failures.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import { DEFAULT_CONFIG, type PushpalsConfig } from "../config/schema.ts";
import type { KindDefinition } from "../kinds/common/define-kind.ts";
import { describeIssue } from "../kinds/registry.ts";
import type { Claim } from "../jobs/job-service-types.ts";
import { redactText } from "../secrets/redact.ts";
import { splitTestRunReport } from "../test-history/test-run-report.ts";
import { boundExchangeWithin } from "../models/bound-exchange.ts";
import { JobFailure, JobParked } from "../core/job-failure.ts";
import type { JobContext } from "../kinds/common/job-context.ts";
import { LogBuffer } from "./log-buffer.ts";

export interface WorkerOptions {
  id: string;
  name: string;
  client: ApiClient;
  paths: RuntimePaths;
  /** The kinds this process runs (the registry's kinds for its role, or a subset). */
  kinds: KindDefinition[];
  /** The worker's own effective config (from its own files, never a job's input); default: the defaults. */
  config?: PushpalsConfig;
  /** Long-poll wait per claim request. */
  claimWaitMs?: number;
  /** How long to keep retrying the server while it restarts before giving up on a report. */
  reportDeadlineMs?: number;
  /** A worker whose server has been unreachable this long exits (an orphan must not run forever). */
  maxUnreachableMs?: number;
  onEvent?: (message: string) => void;
  /** Called once after registration, before the first claim (e.g. the readiness handshake). */
  onRegistered?: () => Promise<void>;
}

/**
 * The claim loop of a WorkerPal or of an agent that runs its own kinds (SourceControlManager,
 * ReviewAgent): registers, claims the best job it can run, heartbeats while running it, streams logs,
 * then completes or fails it. Stopping returns the running job to the queue.
 */
export class WorkerRuntime {
  private stopping = false;
  private readonly stopController = new AbortController();
  private current: AbortController | null = null;
  private readonly kinds: Map<string, KindDefinition>;
  private leaseMs = 30_000;

  constructor(private readonly options: WorkerOptions) {
    this.kinds = new Map(options.kinds.filter((k) => k.handler).map((k) => [k.id, k]));
  }

  private say(message: string): void {
    this.options.onEvent?.(message);
  }

  async run(): Promise<void> {
    const { client } = this.options;
    const kinds = [...this.kinds.keys()];
    const register = () =>
      client.call(routes.registerWorker, { body: { id: this.options.id, name: this.options.name, kinds, pid: process.pid } });
    const maxUnreachableMs = this.options.maxUnreachableMs ?? 120_000;
    const registered = await retryUnreachable(register, { deadline: Date.now() + maxUnreachableMs, signal: this.stopController.signal });
    this.leaseMs = registered.leaseMs;
    await this.options.onRegistered?.();
    this.say(`registered ${this.options.id} for ${kinds.join(", ")}`);
    let unreachableSince: number | null = null;
    while (!this.stopping) {
      let claim: Claim | null = null;
      try {
        claim = await client.call(routes.claimJob, {
          params: { id: this.options.id },
          body: { kinds, waitMs: this.options.claimWaitMs ?? 10_000 },
          signal: this.stopController.signal,
        });
        unreachableSince = null;
      } catch (err) {
        if (this.stopping) break;
        if (isPushpalsError(err, "server_unreachable")) {
          unreachableSince ??= Date.now();
          if (Date.now() - unreachableSince > maxUnreachableMs) {
            throw new PushpalsError("server_unreachable", `worker ${this.options.id} gave up: no server for ${Math.round(maxUnreachableMs / 1000)}s`, {
              hint: "start the server again, then the workers",
            });
          }
          await Bun.sleep(250);
          await retryUnreachable(register, { deadline: Date.now() + 60_000, signal: this.stopController.signal }).catch(() => {});
          continue;
        }
        // The server is at its cap of waiting claims (a flood, or stray workers): wait and ask again.
        if (isPushpalsError(err, "too_many_requests")) {
          this.say(`claim refused for now: ${err.message}`);
          await Bun.sleep(1_000);
          continue;
        }
        throw err;
      }
      if (claim) await this.runJob(claim);
    }
  }

  /** Graceful stop: no new claims; the running job is aborted and returned to the queue. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.stopController.abort();
    this.current?.abort("shutdown");
  }

  private async runJob(claim: Claim): Promise<void> {
    const { client } = this.options;
    const { job, token } = claim;
    const lease = { workerId: this.options.id, token };
    const params = { id: job.id };
    const abort = new AbortController();
    this.current = abort;
    let leaseLost = false;
    this.say(`claimed ${job.id} (${job.kind}, attempt ${job.attempt})`);

    const logs = new LogBuffer(async (lines) => {
      await client.call(routes.appendJobLogs, { params, body: { ...lease, lines } });
    });
    const heartbeat = setInterval(async () => {
      try {
        const beat = await client.call(routes.heartbeatJob, { params, body: lease });
        if (beat.cancelRequested) abort.abort("cancelled");
      } catch (err) {
        if (isPushpalsError(err, "lease_lost") || isPushpalsError(err, "not_found")) {
          leaseLost = true;
          abort.abort("lease_lost");
        }
        // Unreachable: the server may be restarting; keep going and try again next beat.
      }
    }, heartbeatIntervalMs(this.leaseMs));

    const config = this.options.config ?? DEFAULT_CONFIG;
    const ctx: JobContext = {
      job,
      workerId: this.options.id,
      // With the sandbox off, checkouts live outside the repository (nothing of it above them).
      paths: checkoutPathsFor(this.options.paths, config.sandbox.mode),
      config,
      sandbox: config.sandbox,
      signal: abort.signal,
      log: (stream, line) => logs.push(stream, redactText(line)),
      progress: async (progress) => void (await client.call(routes.reportProgress, { params, body: { ...lease, progress } })),
      recordCommand: async (report) => void (await client.call(routes.recordCommand, { params, body: { ...lease, ...report } })),
      recordTests: async (report) => {
        // In parts within the body limit, like other large payloads a worker sends (half of it: room for the lease fields and escaping).
        for (const part of splitTestRunReport(report, Math.floor(config.server.max_body_bytes / 2))) await client.call(routes.recordTests, { params, body: { ...lease, ...part } });
      },
      recordModelExchange: async (exchange) => {
        // Redacted and cut here too, so the body fits the server's limit (room left for the lease fields).
        const bound = boundExchangeWithin(exchange, config.server.max_body_bytes - 1024);
        await client.call(routes.recordModelExchange, { params, body: { ...lease, ...bound } });
      },
      modelUsageToday: async (on) => {
        const day = await client.call(routes.modelUsage, { query: on ? { day: on } : {} });
        return { tokens: day.tokens, costUsd: day.costUsd };
      },
      isPaused: async () => (await client.call(routes.heartbeatJob, { params, body: lease })).paused,
      read: (route, ...input) => client.call(route, ...input),
    };

    let outcome: { ok: true; result: unknown } | { ok: false; failure: Failure } | { ok: false; parked: string };
    try {
      outcome = { ok: true, result: await runKind(this.kinds.get(job.kind), ctx, this.options.id) };
    } catch (err) {
      outcome = err instanceof JobParked ? { ok: false, parked: err.reason } : { ok: false, failure: toFailure(err, abort.signal) };
    } finally {
      clearInterval(heartbeat);
      this.current = null;
    }
    await logs.close().catch(() => {});
    if (leaseLost) {
      this.say(`lease on ${job.id} was lost; its result is discarded`);
      return;
    }
    const report = async () => {
      if (abort.signal.reason === "shutdown") return client.call(routes.releaseJob, { params, body: { ...lease, reason: "worker stopping" } });
      if (outcome.ok) {
        try {
          return await client.call(routes.completeJob, { params, body: { ...lease, result: outcome.result ?? null } });
        } catch (err) {
          // The server refused the result itself (e.g. the PR it would update was closed meanwhile): the
          // job fails now, with that reason, instead of running again after its lease runs out.
          if (!isPushpalsError(err, "conflict") && !isPushpalsError(err, "invalid_input")) throw err;
          outcome = { ok: false, failure: { class: failureClassOfError(err.code), message: `the result was refused: ${err.message}`.slice(0, 4000), evidence: {} } };
          return client.call(routes.failJob, { params, body: { ...lease, failure: outcome.failure } });
        }
      }
      if ("parked" in outcome) return client.call(routes.releaseJob, { params, body: { ...lease, reason: outcome.parked } });
      return client.call(routes.failJob, { params, body: { ...lease, failure: outcome.failure } });
    };
    try {
      await retryUnreachable(report, { deadline: Date.now() + (this.options.reportDeadlineMs ?? 120_000) });
      const ended = abort.signal.reason === "shutdown" || "parked" in outcome ? "released" : outcome.ok ? "succeeded" : `failed (${outcome.failure.class})`;
      this.say(`${job.id} ${ended}`);
    } catch (err) {
      // lease_lost here means the job moved on while we reported: the server's state wins.
      this.say(`report for ${job.id} rejected: ${(err as Error).message}`);
    }
  }
}

/**
 * The kind's handler on its parsed input. Its result must match the kind's result schema (what the
 * server's effects will read); the result is sent as the handler returned it.
 */
async function runKind(kind: KindDefinition | undefined, ctx: JobContext, workerId: string): Promise<unknown> {
  if (!kind?.handler) throw new JobFailure("internal", `worker ${workerId} has no handler for kind ${ctx.job.kind}`);
  const input = kind.input.safeParse(ctx.job.input);
  if (!input.success) throw new JobFailure("invalid_input", describeIssue("input", input.error).message);
  const result = await kind.handler(input.data, ctx);
  const checked = kind.result.safeParse(result);
  if (!checked.success) throw new JobFailure("internal", `the ${kind.id} handler returned a result its schema refuses: ${describeIssue("result", checked.error).message}`);
  return result;
}

/** A third of the lease (two missed beats still keep it), capped so a cancel reaches the job within 2 s. */
export function heartbeatIntervalMs(leaseMs: number): number {
  return Math.max(50, Math.min(2_000, Math.floor(leaseMs / 3)));
}

function toFailure(err: unknown, signal: AbortSignal): Failure {
  if (signal.aborted && signal.reason === "cancelled") return { class: "cancelled", message: "cancelled on request", evidence: {} };
  if (err instanceof JobFailure) return err.toFailure();
  if (signal.aborted) return { class: "cancelled", message: `aborted: ${String(signal.reason)}`, evidence: {} };
  const message = err instanceof Error ? err.message : String(err);
  const cls = isPushpalsError(err) ? failureClassOfError(err.code) : "internal";
  return { class: cls, message: redactText(message).slice(0, 4000) || "unknown error", evidence: { logExcerpt: redactText(String((err as Error)?.stack ?? "")).slice(0, 4000) } };
}
