import type { Command } from "commander";
import { reportReady } from "../../client/component-reporter.ts";
import { PushpalsError } from "../../errors/pushpals-error.ts";
import { cliContext } from "../context.ts";
import { onSupervisorGone } from "../supervised.ts";

/**
 * `pushpals agent <role>`: the RemoteAgent, ReviewAgent and SourceControlManager processes. In this
 * release they register, report ready and heartbeat; planning, review and git work arrive with the
 * issues that build them, in these same processes.
 */
export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description("run one agent process in the foreground (started by `pushpals start`)")
    .addHelpText("after", '\nExample:\n  pushpals agent review-agent')
    .argument("<role>", "remote-agent | review-agent | scm")
    .option("--name <name>", "component name (default: the role)")
    .action(async (role: string, opts: { name?: string }) => {
      if (!["remote-agent", "review-agent", "scm"].includes(role)) {
        throw new PushpalsError("invalid_input", `unknown agent role "${role}"`, { field: "role", hint: "use remote-agent, review-agent or scm" });
      }
      const ctx = await cliContext(program.opts());
      const name = opts.name ?? role;
      const reporter = await reportReady(ctx.client, name, role as "remote-agent" | "review-agent" | "scm", null);
      process.stdout.write(`[${name}] ready (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        process.on("SIGTERM", () => resolve());
        process.on("SIGINT", () => resolve());
        onSupervisorGone(resolve);
      });
      reporter.stop();
      process.exit(0);
    });
}
