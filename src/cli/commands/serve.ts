import { Option, type Command } from "commander";
import { runServer } from "../../server/main.ts";
import { cliContext } from "../context.ts";
import { onSupervisorGone } from "../../runtime/supervised.ts";
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
      const ctx = await cliContext(program.opts());
      const server = await runServer(ctx.paths, ctx.config(), opts);
      process.stdout.write(`pushpals server listening on ${server.url} (pid ${process.pid})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => void server.shutdown(`received ${signal}`).then(resolve);
        process.on("SIGTERM", () => stop("SIGTERM"));
        process.on("SIGINT", () => stop("SIGINT"));
        // Orphaned: give the workers (which notice too) a moment to return their jobs first.
        onSupervisorGone(() => setTimeout(() => stop("supervisor gone"), 3_000));
      });
      process.stdout.write("pushpals server stopped\n");
      // Everything is closed and flushed; do not linger on runtime internals for another second.
      process.exit(0);
    });
}

function hidden(flags: string, description: string): Option {
  return new Option(flags, description).argParser(int).hideHelp();
}
