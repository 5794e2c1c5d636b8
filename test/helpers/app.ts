import { join } from "node:path";
import type { IssueCredentialBody } from "../../src/api/schemas.ts";
import { ApiClient } from "../../src/client/api-client.ts";
import { startApp, type AppOptions, type RunningApp } from "../../src/server/app.ts";
import type { Store } from "../../src/store/store.ts";

/** The server in this process, its owner's socket in `dir` (this test process connects as the owner). */
export function startTestApp(store: Store, dir: string, options: Partial<AppOptions> = {}): Promise<RunningApp> {
  return startApp(store, {
    host: "127.0.0.1",
    port: 0,
    socket: join(dir, "api.sock"),
    maxBodyBytes: 65_536,
    tickMs: 1_000,
    sse: { heartbeatMs: 15_000, pageSize: 100, maxQueuedChunks: 1_000 },
    jobs: {},
    ...options,
  });
}

/** A client on the owner's socket, holding a credential of `as` if given (a WorkerPal by default), every reply checked. */
export function socketClient(app: RunningApp, as: IssueCredentialBody | null = { role: "worker", name: "test-worker" }): ApiClient {
  const client = new ApiClient({ socket: app.socket }, { checkReplies: true });
  if (as) client.useCredential(app.credentials.issue(as));
  return client;
}
