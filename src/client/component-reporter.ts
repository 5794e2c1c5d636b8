import type { ComponentRole } from "../api/records.ts";
import { routes } from "../api/routes.ts";
import { retryUnreachable, type ApiClient } from "./api-client.ts";

export interface ComponentReporter {
  stop(): void;
}

/**
 * The component side of the readiness handshake: say `ready` (retrying while the server starts),
 * then heartbeat. If the server restarts and forgets nothing, heartbeats simply continue.
 */
export async function reportReady(
  client: ApiClient,
  name: string,
  role: ComponentRole,
  workerId: string | null,
  heartbeatMs = 5_000,
): Promise<ComponentReporter> {
  const ready = () => client.call(routes.componentReady, { params: { name }, body: { role, pid: process.pid, workerId } });
  await retryUnreachable(ready, { deadline: Date.now() + 30_000 });
  const timer = setInterval(() => {
    client.call(routes.componentHeartbeat, { params: { name } }).catch(() => ready().catch(() => {}));
  }, heartbeatMs);
  return { stop: () => clearInterval(timer) };
}
