import type { Command } from "commander";
import { int } from "../parse.ts";

export function registerStopStatus(program: Command): void {
  program
    .command("stop")
    .description("stop the runtime gracefully: workers return their jobs, then agents, then the server")
    .option("--timeout <seconds>", "wait this long before giving up", int, 30)
    .addHelpText("after", "\nExamples:\n  pushpals stop\n  pushpals stop --timeout 120   # let long jobs be returned")
    .action(async (opts: { timeout: number }) => {
      const { runStop } = await import("./stop-status-action.ts");
      await runStop(program, opts);
    });

  program
    .command("status")
    .description("online or not, each component's health, the queue, and jobs that will not move on their own")
    .option("--json", "machine-readable output")
    .addHelpText("after", "\nExit code 3 when PushPals is not running.\n\nExamples:\n  pushpals status\n  pushpals status --json | jq .components")
    .action(async (opts: { json?: boolean }) => {
      const { runStatus } = await import("./stop-status-action.ts");
      await runStatus(program, opts);
    });
}
