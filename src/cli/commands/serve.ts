import { Option, type Command } from "commander";
import { int } from "../parse.ts";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("run the control plane server in the foreground (loopback only)")
    .addHelpText("after", '\nUsually started for you by `pushpals start`.\n\nExample:\n  pushpals serve --port 7420')
    .option("--port <n>", "port on 127.0.0.1 (default: config, else any free port)", int)
    .addOption(hidden("--tick-ms <n>", "lease/retry timer interval"))
    .addOption(hidden("--lease-ms <n>", "lease length override"))
    .addOption(hidden("--retry-base-ms <n>", "retry backoff base override"))
    .addOption(hidden("--sse-heartbeat-ms <n>", "SSE heartbeat interval"))
    .action(async (opts: { port?: number; tickMs?: number; leaseMs?: number; retryBaseMs?: number; sseHeartbeatMs?: number }) => {
      const { runServe } = await import("./serve-action.ts");
      await runServe(program, opts);
    });
}

function hidden(flags: string, description: string): Option {
  return new Option(flags, description).argParser(int).hideHelp();
}
