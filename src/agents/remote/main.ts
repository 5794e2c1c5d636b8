import { reportReady } from "../../client/component-reporter.ts";
import { useComponentCredential } from "../../client/credential.ts";
import { onSupervisorGone } from "../../runtime/supervised.ts";
import type { ApiClient } from "../../client/api-client.ts";

/**
 * The RemoteAgent process. Planning (selecting work, decomposing directives, dispatching) arrives in a
 * later release; until then it registers, reports ready and heartbeats, and directives wait `blocked`.
 */
export async function runRemoteAgent(client: ApiClient, options: { name: string }): Promise<never> {
  await useComponentCredential(client, { role: "remote-agent", name: options.name });
  const reporter = await reportReady(client, options.name, "remote-agent", null);
  process.stdout.write(`[${options.name}] ready (pid ${process.pid})\n`);
  await new Promise<void>((resolve) => {
    process.on("SIGTERM", () => resolve());
    process.on("SIGINT", () => resolve());
    onSupervisorGone(resolve);
  });
  reporter.stop();
  process.exit(0);
}
