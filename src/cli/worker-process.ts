import { reportReady, type ComponentReporter } from "../client/component-reporter.ts";
import type { ComponentRole } from "../store/components/component-rows.ts";
import { PushpalsError } from "../core/errors.ts";
import { probeSandbox } from "../sandbox/probe.ts";
import type { SandboxSettings } from "../sandbox/sandbox-settings.ts";
import type { JobHandler } from "../workers/handler.ts";
import { WorkerRuntime } from "../workers/runtime.ts";
import type { CliContext } from "./context.ts";
import { onSupervisorGone } from "./supervised.ts";

export interface WorkerProcessOptions {
  id: string;
  name: string;
  handlers: JobHandler[];
  /** The supervised component to report ready as, if any. */
  component: { name: string; role: ComponentRole } | null;
  say: (message: string) => void;
  onReady?: () => void;
}

/**
 * Runs a claim loop in this process until SIGTERM/SIGINT or the supervisor is gone: a WorkerPal, or
 * an agent that works through its own job kinds (SourceControlManager, ReviewAgent). Refuses to start
 * when its sandbox cannot, rather than failing every job as if its commands had failed.
 */
export async function runWorkerProcess(ctx: CliContext, options: WorkerProcessOptions): Promise<never> {
  const sandbox = ctx.config().sandbox;
  await requireSandbox(sandbox, (m) => process.stderr.write(`[${options.name}] ${m}\n`));
  let reporter: ComponentReporter | null = null;
  const runtime = new WorkerRuntime({
    id: options.id,
    name: options.name,
    client: ctx.client,
    paths: ctx.paths,
    handlers: options.handlers,
    sandbox,
    onRegistered: async () => {
      if (options.component) reporter = await reportReady(ctx.client, options.component.name, options.component.role, options.id);
      options.onReady?.();
    },
    onEvent: options.say,
  });
  process.on("SIGTERM", () => runtime.stop());
  process.on("SIGINT", () => runtime.stop());
  onSupervisorGone(() => runtime.stop());
  try {
    await runtime.run();
  } finally {
    (reporter as ComponentReporter | null)?.stop();
  }
  process.exit(0);
}

async function requireSandbox(settings: SandboxSettings, warn: (message: string) => void): Promise<void> {
  if (settings.mode === "off") {
    warn('WARNING: sandbox.mode is "off": job commands run unconfined, with this user\'s files, network and credentials');
    return;
  }
  const probe = await probeSandbox(settings);
  if (probe.ok) return;
  throw new PushpalsError("component_failed", `the job sandbox cannot start: ${probe.problem}`, { hint: probe.fix });
}
