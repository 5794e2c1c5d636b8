import { kindsForRole } from "../kinds/registry.ts";
import type { ApiClient } from "../client/api-client.ts";
import { reportReady, type ComponentReporter } from "../client/component-reporter.ts";
import { componentNameOf, useComponentCredential } from "../client/credential.ts";
import type { PushpalsConfig } from "../config/schema.ts";
import type { KindDefinition } from "../kinds/common/define-kind.ts";
import type { RuntimePaths } from "../runtime-dir/paths.ts";
import type { ComponentRole } from "../api/records.ts";
import { PushpalsError } from "../core/errors.ts";
import { probeSandbox } from "../sandbox/probe.ts";
import { sweepInstallScratch } from "../deps/install-sandbox.ts";
import type { SandboxSettings } from "../sandbox/sandbox-settings.ts";
import { WorkerRuntime } from "./worker-runtime.ts";
import { onSupervisorGone } from "./supervised.ts";

/** What a process needs from its environment: the API, its runtime paths, and its own effective config. */
export interface ProcessEnv {
  client: ApiClient;
  paths: RuntimePaths;
  config: PushpalsConfig;
}

export interface WorkerProcessOptions {
  id: string;
  name: string;
  kinds: KindDefinition[];
  /** The supervised component to report ready as, if any. */
  component: { name: string; role: ComponentRole } | null;
  /** The role whose kinds it runs: its credential is for that role (see access.ts on the server). */
  role: "worker" | "scm" | "review-agent";
  say: (message: string) => void;
  onReady?: () => void;
}

/**
 * Runs a claim loop in this process until SIGTERM/SIGINT or the supervisor is gone: a WorkerPal, or
 * an agent that works through its own job kinds (SourceControlManager, ReviewAgent). Refuses to start
 * when its sandbox cannot, rather than failing every job as if its commands had failed.
 */
export async function runWorkerProcess(env: ProcessEnv, options: WorkerProcessOptions): Promise<never> {
  await requireSandbox(env.config.sandbox, (m) => process.stderr.write(`[${options.name}] ${m}\n`));
  sweepInstallScratch();
  await useComponentCredential(env.client, { role: options.role, name: options.component?.name ?? componentNameOf(options.name) });
  let reporter: ComponentReporter | null = null;
  const runtime = new WorkerRuntime({
    id: options.id,
    name: options.name,
    client: env.client,
    paths: env.paths,
    kinds: options.kinds,
    config: env.config,
    onRegistered: async () => {
      if (options.component) reporter = await reportReady(env.client, options.component.name, options.component.role, options.id);
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

/** An agent that runs its role's own kinds (SourceControlManager, ReviewAgent), as the supervised component `name`. */
export function runAgentProcess(env: ProcessEnv, role: "scm" | "review-agent", options: { name: string; id: string }): Promise<never> {
  return runWorkerProcess(env, {
    id: options.id,
    name: options.name,
    kinds: kindsForRole(role),
    component: { name: options.name, role },
    role,
    say: (m) => void process.stdout.write(`[${options.name}] ${m}\n`),
    onReady: () => void process.stdout.write(`[${options.name}] ready (pid ${process.pid})\n`),
  });
}
