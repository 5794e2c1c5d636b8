import type { Command } from "commander";
import { runAgent as runAgentRole } from "../../roles/agent.ts";
import { cliContext } from "../context.ts";

export async function runAgent(program: Command, role: string, opts: { name?: string; id?: string }): Promise<void> {
  await runAgentRole(await cliContext(program.opts()), role, opts);
}
