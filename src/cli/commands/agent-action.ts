import type { Command } from "commander";
import { runRemoteAgent } from "../../agents/remote/main.ts";
import { runReviewAgent } from "../../agents/review/main.ts";
import { runScmAgent } from "../../agents/scm/main.ts";
import { PushpalsError } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import { cliContext } from "../context.ts";
import { ROLES } from "./agent-roles.ts";

export async function runAgent(program: Command, role: string, opts: { name?: string; id?: string }): Promise<void> {
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new PushpalsError("invalid_input", `unknown agent role "${role}"`, { field: "role", hint: "use remote-agent, review-agent or scm" });
  }
  const ctx = await cliContext(program.opts());
  const name = opts.name ?? role;
  // The RemoteAgent reads no config yet (it only reports ready); the others run jobs under their own.
  if (role === "remote-agent") return runRemoteAgent(ctx.client, { name });
  const env = { client: ctx.client, paths: ctx.paths, config: ctx.config() };
  if (role === "scm") return runScmAgent(env, { name, id: opts.id ?? newId("wrk") });
  return runReviewAgent(env, { name, id: opts.id ?? newId("wrk") });
}

/** `pushpals agent <role>`: the RemoteAgent, ReviewAgent and SourceControlManager processes (flags only; each agent is in src/agents/). */
