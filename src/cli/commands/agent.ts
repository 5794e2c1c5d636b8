import type { Command } from "commander";
import { ROLES } from "../../roles/agent-roles.ts";

export function registerAgent(program: Command): void {
  program
    .command("agent")
    .description("run one agent process in the foreground (started by `pushpals start`)")
    .addHelpText("after", "\nExample:\n  pushpals agent review-agent")
    .argument("<role>", ROLES.join(" | "))
    .option("--name <name>", "component name (default: the role)")
    .option("--id <id>", "scm, review-agent: stable worker id for its jobs (default: a new one)")
    .action(async (role: string, opts: { name?: string; id?: string }) => {
      const { runAgent } = await import("./agent-action.ts");
      await runAgent(program, role, opts);
    });
}
