import { runServer } from "../server/main.ts";
import { onSupervisorGone } from "../runtime/supervised.ts";
import { processContext, type ProcessContext } from "./process-context.ts";
import { runRole } from "./role-main.ts";

export interface ServeOptions {
  port?: number;
  tickMs?: number;
  leaseMs?: number;
  retryBaseMs?: number;
  sseHeartbeatMs?: number;
}

/** The control plane server in this process until SIGTERM/SIGINT or its supervisor is gone. */
export async function serve(ctx: ProcessContext, opts: ServeOptions): Promise<void> {
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

// As the supervisor starts it: `bun src/roles/server.ts` in the repository (`pushpals serve` by hand).
if (import.meta.main) runRole({}, async () => serve(await processContext(), {}));
