import type { ModelProviderId } from "../providers/registry.ts";

/**
 * An external agent CLI as an executor of model-backed work (#19, `models.executor`): run once inside the
 * sandbox with no network, pointed at the model proxy (src/egress/model-proxy.ts) that PushPals runs outside
 * it. It is given a dummy key (`PROXY_CLIENT_KEY`): the proxy drops whatever credential a client sends and
 * adds the real one, so no key is ever in the sandbox. A definition is data: its binary, the providers whose
 * API it speaks, its argv for one task and the environment that points it at the proxy.
 */
export interface AgentCliDefinition {
  /** `models.executor`. */
  readonly id: string;
  /** The program looked up on the worker's PATH. */
  readonly binary: string;
  /** One line for docs and `doctor`. */
  readonly summary: string;
  /** The `models.provider`s whose API it can speak through the proxy. */
  readonly providers: readonly ModelProviderId[];
  /** How to install it (for the fix when it is missing). */
  readonly install: string;
  /** Where its non-interactive flags are documented. */
  readonly docs: string;
  /** Its arguments (after the binary) for one task, run to the end without asking anything. */
  argv(run: AgentCliRun): string[];
  /** Its environment on top of the sandbox's allowlist: the proxy's address and the dummy key, never a real one. */
  env(run: AgentCliRun): Record<string, string>;
  /**
   * Files it leaves in the checkout for its own use (caches, histories), relative to the checkout: removed
   * after the run when the base commit did not have them, so they never become part of the change.
   */
  readonly leftovers: readonly string[];
}

/** What one run of an agent CLI is told. */
export interface AgentCliRun {
  prompt: string;
  /** `models.model`. */
  model: string;
  provider: ModelProviderId;
  /** The model proxy inside the sandbox, without a path: `http://127.0.0.1:3128`. */
  proxyUrl: string;
}

/**
 * The key every agent CLI is given: a placeholder, not a secret (the proxy removes it and adds the real
 * key outside the sandbox). CLIs refuse to start without some key.
 */
export const PROXY_CLIENT_KEY = "pushpals-proxy";

export function defineAgentCli<const T extends AgentCliDefinition>(definition: T): T {
  return definition;
}
