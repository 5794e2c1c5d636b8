import type { Command } from "commander";
import { runServer } from "../../server/main.ts";
import { cliContext } from "../context.ts";
import { onSupervisorGone } from "../../runtime/supervised.ts";

export async function runServe(program: Command, opts: { port?: number; tickMs?: number; leaseMs?: number; retryBaseMs?: number; sseHeartbeatMs?: number }): Promise<void> {
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
}
