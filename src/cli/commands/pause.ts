import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { cliContext } from "../context.ts";
import { printJson } from "../format.ts";
import { visible } from "../safe-text.ts";

export function registerPause(program: Command): void {
  program
    .command("pause")
    .description("stop everything at once: no job is claimed and no merge moves a branch until `pushpals resume`")
    .option("--why <text>", "the reason, kept in the audit trail and shown by `pushpals status`")
    .option("--json", "machine-readable output")
    .addHelpText("after", '\nRunning jobs finish their current command; a merge about to move a branch goes back to the queue.\n\nExample:\n  pushpals pause --why "release freeze"')
    .action(async (opts: { why?: string; json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      const data = await ctx.client.call(routes.pause, { body: { ...(opts.why ? { reason: opts.why } : {}) } });
      if (opts.json) return printJson(data);
      process.stdout.write(`paused by ${visible(data.paused.by)}: ${visible(data.paused.reason)}\n  resume with: pushpals resume\n`);
    });

  program
    .command("resume")
    .description("undo `pushpals pause`: claims and merges continue where they stopped")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExample:\n  pushpals resume")
    .action(async (opts: { json?: boolean }) => {
      const ctx = await cliContext(program.opts());
      const data = await ctx.client.call(routes.resume, { body: {} });
      if (opts.json) return printJson(data);
      process.stdout.write("resumed\n");
    });
}
