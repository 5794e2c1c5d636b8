import { findAgentCli, type AgentCliLookup } from "../models/executors/find-agent-cli.ts";
import { AGENT_CLIS, BUILTIN_EXECUTOR } from "../models/executors/registry.ts";
import type { ModelsSettings } from "../models/models-settings.ts";
import { sandboxFor, type SandboxPaths } from "../sandbox/sandbox-for.ts";
import type { SandboxSettings } from "../sandbox/sandbox-settings.ts";
import { hiddenInSandbox } from "../sandbox/visible-path.ts";
import { ok, warn, type Finding } from "./finding.ts";

export const MODEL_EXECUTORS_CODE = "PP016";

export interface ModelExecutorsOptions {
  /** The workers' PATH (they inherit this process's). */
  path: string;
  sandbox: SandboxSettings;
  paths: SandboxPaths;
}

/**
 * PP016: which agent CLIs could carry out model-backed work here (`models.executor`): each found on PATH
 * and runnable inside the sandbox (its file and its interpreter outside every hidden directory), and when
 * the configured one is not, why and the fix. A warning only: model-backed work fails until it is fixed.
 * The sandbox looked at is a job's (its hidden and revealed directories; the checkout itself aside).
 */
export function checkModelExecutors(settings: ModelsSettings, options: ModelExecutorsOptions): Finding {
  const sandboxed = options.sandbox.mode !== "off";
  // A job's checkout is inside the git directory (hidden anyway): it stands in for one here.
  const spec = sandboxed ? sandboxFor({ sandbox: options.sandbox, paths: options.paths }, options.paths.gitCommonDir, { network: false }) : "off";
  const hidden = spec === "off" ? null : (path: string) => hiddenInSandbox(path, spec);
  const found = AGENT_CLIS.map((cli) => ({ cli, lookup: findAgentCli(cli, { path: options.path, hidden }) }));
  const usable = found.filter((f): f is typeof f & { lookup: Extract<AgentCliLookup, { found: true }> } => f.lookup.found).map((f) => `${f.cli.id} (${f.lookup.path})`);
  const listed = `agent CLIs usable here: ${usable.length ? usable.join(", ") : "none"}`;
  if (settings.executor === BUILTIN_EXECUTOR) return ok(MODEL_EXECUTORS_CODE, `executor: the built-in agent loop; ${listed}`);
  const configured = found.find((f) => f.cli.id === settings.executor)!;
  if (!sandboxed) {
    return warn(MODEL_EXECUTORS_CODE, `models.executor = "${settings.executor}" runs the agent CLI only inside the sandbox, and sandbox.mode is "off": model-backed jobs fail`, 'turn the sandbox on (install bubblewrap, remove sandbox.mode = "off"), or set models.executor = "builtin"');
  }
  if (!configured.lookup.found) {
    return warn(MODEL_EXECUTORS_CODE, `models.executor = "${settings.executor}", but ${configured.lookup.why}: model-backed jobs fail (${listed})`, `${configured.lookup.fix}; or set models.executor to one usable here, or "builtin"`);
  }
  return ok(MODEL_EXECUTORS_CODE, `executor: ${settings.executor} (${configured.lookup.path}), run in the sandbox through the model proxy; ${listed}`);
}
