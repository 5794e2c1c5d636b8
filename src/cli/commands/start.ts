import type { Command } from "commander";
import { int } from "../parse.ts";
import type { StartOptions } from "./start-action.ts";

export function registerStart(program: Command): void {
  program
    .command("start")
    .description("check the machine, then start the server, agents and WorkerPals and wait until all are online")
    .option("--workers <n>", "number of WorkerPals (default: config workers.count)", int)
    .option("--detach", "return once online and keep running in the background")
    .option("-c, --clean", "reset the runtime queue after a crash mess (keeps the audit log, job history and all git data)")
    .option("--supervise", "(internal) run as the detached supervisor", false)
    .addHelpText(
      "after",
      `
Examples:
  pushpals start                 # foreground; Ctrl-C stops everything cleanly
  pushpals start --detach        # background; then: pushpals status, pushpals stop
  pushpals start -c --workers 4  # after a crash mess: reset the queue, start 4 WorkerPals`,
    )
    .action(async (opts: StartOptions) => {
      const { runStart } = await import("./start-action.ts");
      await runStart(program, opts);
    });
}
