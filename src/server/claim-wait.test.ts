import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import type { ApiClient } from "../client/api-client.ts";
import { routes } from "../api/routes.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { socketClient, startTestApp } from "../../test/helpers/app.ts";
import type { RunningApp } from "./app.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;
let api: ApiClient;

beforeEach(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path);
  api = socketClient(app);
  await api.call(routes.registerWorker, { body: { id: "wrk_waiter0001", name: "w", kinds: ["noop"], pid: null } });
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
      api.call(routes.claimJob, { params: { id: "wrk_waiter0001" }, body: { kinds: ["noop"], waitMs: 5_000 } }),
      api.call(routes.enqueueJob, { body: { kind: "noop", input: {} } }),
    ]);
    expect(claim?.job.kind).toBe("noop");
    expect(Date.now() - started).toBeLessThan(2_000);
    await api.call(routes.completeJob, { params: { id: claim!.job.id }, body: { workerId: "wrk_waiter0001", token: claim!.job.generation } });
  }
});
