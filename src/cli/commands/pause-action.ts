import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { cliContext } from "../context.ts";
import { printJson } from "../format.ts";
import { visible } from "../../core/safe-text.ts";

export async function runPause(program: Command, opts: { why?: string; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.pause, { body: { ...(opts.why ? { reason: opts.why } : {}) } });
  if (opts.json) return printJson(data);
  process.stdout.write(`paused by ${visible(data.paused.by)}: ${visible(data.paused.reason)}\n  resume with: pushpals resume\n`);
}

export async function runResume(program: Command, opts: { json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.resume, { body: {} });
  if (opts.json) return printJson(data);
  process.stdout.write("resumed\n");
}


