import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { ApiClient } from "../client/api-client.ts";
import type { Job } from "../store/jobs/job-rows.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { startApp, type RunningApp } from "./app.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;
let api: ApiClient;

beforeEach(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = startApp(store, { host: "127.0.0.1", port: 0, maxBodyBytes: 65_536, tickMs: 1_000, sse: { heartbeatMs: 15_000, pageSize: 100, maxQueuedChunks: 1_000 }, jobs: {} });
  api = new ApiClient({ url: app.url });
  await api.request("POST", "/workers", { id: "wrk_waiter0001", name: "w", kinds: ["noop"], pid: null });
});

afterEach(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

test("a waiting claim wakes for a job enqueued in the same turn (same group commit)", async () => {
  for (let i = 0; i < 10; i++) {
    const started = Date.now();
    const [claim] = await Promise.all([
      api.request<{ job: Job } | null>("POST", "/workers/wrk_waiter0001/claim", { kinds: ["noop"], waitMs: 5_000 }),
      api.request("POST", "/jobs", { kind: "noop", input: {}, actor: "t" }),
    ]);
    expect(claim.data?.job.kind).toBe("noop");
    expect(Date.now() - started).toBeLessThan(2_000);
    await api.request("POST", `/jobs/${claim.data!.job.id}/complete`, { workerId: "wrk_waiter0001", token: claim.data!.job.generation });
  }
});
