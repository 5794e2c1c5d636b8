import type { PushpalsConfig } from "../../config/schema.ts";
import type { Job } from "../../store/jobs/job-rows.ts";
import type { JsonRoute, ReplyOf } from "../../api/define-route.ts";
import type { CallArgs } from "../../api/call-input.ts";
import type { CommandReport } from "../../sandbox/command-report.ts";
import type { SandboxSettings } from "../../sandbox/sandbox-settings.ts";
import type { TestRunReport } from "../../test-history/test-run-report.ts";
import type { ModelExchange } from "../../models/model-types.ts";

export type { CommandReport, TestRunReport };

export type ReadRoute = JsonRoute & { method: "GET" };

/** The runtime paths a job uses (its worktrees, the repository, the runtime directory): plain data. */
export interface JobPaths {
  repoRoot: string;
  gitCommonDir: string;
  runtimeDir: string;
  worktreesDir: string;
  depsCacheDir: string;
  /** Hidden from the job's commands, like the runtime directory. */
  peopleDir: string;
}

/** What a running job can do; every call goes to the server with the job's fencing token. */
export interface JobContext {
  readonly job: Job;
  readonly workerId: string;
  readonly paths: JobPaths;
  /** The worker's own effective config (never the job's input): provider settings, `[pr]`, `[sandbox]`. */
  readonly config: PushpalsConfig;
  /** The worker's own `[sandbox]` config (never the job's input): pass `sandboxFor(ctx, dir, grant)` to runCommand. */
  readonly sandbox: SandboxSettings;
  /** Aborted when the job is cancelled, its lease is lost, or the worker is stopping. */
  readonly signal: AbortSignal;
  log(stream: "stdout" | "stderr" | "system", line: string): void;
  progress(progress: unknown): Promise<void>;
  recordCommand(report: CommandReport): Promise<void>;
  /**
   * Records one check run's tests (its per-test outcomes) in the server's per-test history, the
   * flakiness score's evidence. `report.run` is unique within the job's attempt: a run recorded again
   * records nothing twice. A large report goes in parts, each within the server's body limit.
   */
  recordTests(report: TestRunReport): Promise<void>;
  /**
   * Records one exchange of a model-backed job's loop in its transcript (`pushpals logs <id> --model`),
   * redacted and cut to the stored bound before it is sent. A step recorded again records nothing twice.
   */
  recordModelExchange(exchange: ModelExchange): Promise<void>;
  /** The model usage the server has recorded for the current UTC day, every job's (a BudgetMeter's `usedToday`). */
  modelUsageToday(day?: string): Promise<{ tokens: number; costUsd: number }>;
  /** Asks the server now whether `pushpals pause` is on (a merge checks it right before moving a ref). */
  isPaused(): Promise<boolean>;
  /** A read of the control plane's API (e.g. a PR's merge gate right before the ref moves): GET routes only. */
  read<R extends ReadRoute>(route: R, ...input: CallArgs<R>): Promise<ReplyOf<R>>;
}
