import { expect, test } from "bun:test";
import { ApiClient } from "../client/api-client.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import { heartbeatIntervalMs, WorkerRuntime } from "./worker-runtime.ts";

test("a worker whose server never answers gives up after maxUnreachableMs instead of running forever", async () => {
  // Port 9 on loopback: nothing listens there, so every request is refused at once.
  const runtime = new WorkerRuntime({
    id: "wrk_orphan000001",
    name: "orphan",
    client: new ApiClient({ url: "http://127.0.0.1:9" }),
    paths: runtimePathsFor("/nonexistent", "/nonexistent/.git"),
    kinds: [],
    maxUnreachableMs: 300,
  });
  const started = Date.now();
  await expect(runtime.run()).rejects.toMatchObject({ code: "server_unreachable" });
  expect(Date.now() - started).toBeLessThan(5_000);
});

test("heartbeats: a third of the lease, at most 2 s apart so a cancel arrives quickly", () => {
  expect(heartbeatIntervalMs(600)).toBe(200);
  expect(heartbeatIntervalMs(30_000)).toBe(2_000);
  expect(heartbeatIntervalMs(30)).toBe(50);
});
