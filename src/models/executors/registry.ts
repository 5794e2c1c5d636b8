import { PushpalsError } from "../../core/errors.ts";
import { aiderCli } from "./aider.ts";
import type { AgentCliDefinition } from "./agent-cli.ts";
import { claudeCli } from "./claude.ts";
import { codexCli } from "./codex.ts";
import { opencodeCli } from "./opencode.ts";

/** The external agent CLIs (`models.executor`). Adding one is its file plus one line here. */
export const AGENT_CLIS = [codexCli, claudeCli, opencodeCli, aiderCli] as const satisfies readonly AgentCliDefinition[];

/** `builtin` is the agent loop (src/kinds/agent-run/); every other executor is an agent CLI. */
export const BUILTIN_EXECUTOR = "builtin";
export type ExecutorId = typeof BUILTIN_EXECUTOR | (typeof AGENT_CLIS)[number]["id"];
export const EXECUTOR_IDS = [BUILTIN_EXECUTOR, ...AGENT_CLIS.map((c) => c.id)] as [ExecutorId, ...ExecutorId[]];

export function agentCliById(id: string): AgentCliDefinition {
  const found = AGENT_CLIS.find((c) => c.id === id);
  if (found) return found;
  throw new PushpalsError("config_invalid", `unknown agent CLI "${id}"`, { field: "models.executor", hint: `use one of: ${EXECUTOR_IDS.join(", ")}` });
}
