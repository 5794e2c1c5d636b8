import { reportReady } from "../../client/component-reporter.ts";
import { onSupervisorGone } from "../../runtime/supervised.ts";
import type { ProcessEnv } from "../../runtime/worker-process.ts";

/**
 * The RemoteAgent process. Planning (selecting work, decomposing directives, dispatching) arrives in a
 * later release; until then it registers, reports ready and heartbeats, and directives wait `blocked`.
 */
export async function runRemoteAgent(env: ProcessEnv, options: { name: string }): Promise<never> {
  const reporter = await reportReady(env.client, options.name, "remote-agent", null);
  process.stdout.write(`[${options.name}] ready (pid ${process.pid})\n`);
  await new Promise<void>((resolve) => {
    process.on("SIGTERM", () => resolve());
    process.on("SIGINT", () => resolve());
    onSupervisorGone(resolve);
  });
  reporter.stop();
  process.exit(0);
}
