import { expect, test } from "bun:test";
import { connect } from "node:net";
import { join } from "node:path";
import { z } from "zod";
import { tempDir } from "../../test/helpers/temp.ts";
import { isPushpalsError } from "../core/errors.ts";
import { ApiClient } from "../client/api-client.ts";
import { noopKind } from "../kinds/noop/index.ts";
import { runtimePathsFor } from "../runtime-dir/paths.ts";
import { WorkerRuntime } from "../runtime/worker-runtime.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { startApp, type AppOptions, type RunningApp } from "./app.ts";
import { ConnectionLimits, type ConnectionLimitsOptions } from "./connection-limits.ts";
import { readBody } from "./http.ts";
import { CREDENTIAL_HEADER } from "./caller.ts";

/**
 * One server of a test, with its own store and temp dir: every test here waits mostly on timers (idle
 * timeouts, heartbeats, long claims), so they run concurrently, each on a server of its own, disposed
 * (its streams cancelled, the server stopped, the store closed) when the test's scope ends.
 */
interface TestServer extends AsyncDisposable {
  app: RunningApp;
  service: RunningApp["service"];
  limits: RunningApp["limits"];
  /** A GET over loopback TCP; a 2xx reply is kept open (a stream) until the test ends. */
  get(path: string): Promise<Response>;
  /** A WorkerPal's credential: claims are a component's calls, on the owner's socket (TCP is read-only). */
  workerCredential(): string;
  claim(workerId: string, waitMs: number, signal?: AbortSignal): Promise<Response>;
  /** The responses `get` kept open, in order. */
  open: Response[];
}

async function start(limits: Partial<ConnectionLimitsOptions>, sse: Partial<AppOptions["sse"]> = {}): Promise<TestServer> {
  const dir = tempDir();
  const store = new SqliteStore(join(dir.path, "db.sqlite"));
  const app = await startApp(store, {
    host: "127.0.0.1",
    port: 0,
    socket: join(dir.path, "api.sock"),
    maxBodyBytes: 65_536,
    tickMs: 1_000,
    sse: { heartbeatMs: 15_000, pageSize: 100, maxQueuedChunks: 1_000, ...sse },
    jobs: {},
    limits: { fileLimit: null, openFiles: () => null, ...limits },
  });
  const open: Response[] = [];
  const workerCredential = () => app.credentials.issue({ role: "worker", name: "w" });
  return {
    app,
    service: app.service,
    limits: app.limits,
    open,
    workerCredential,
    async get(path) {
      const res = await fetch(`${app.url}${path}`);
      if (res.ok) open.push(res);
      return res;
    },
    claim: (workerId, waitMs, signal) =>
      fetch(`http://localhost/workers/${workerId}/claim`, {
        unix: app.socket,
        method: "POST",
        headers: { "content-type": "application/json", [CREDENTIAL_HEADER]: workerCredential() },
        body: JSON.stringify({ kinds: ["noop"], waitMs }),
        signal,
      }),
    async [Symbol.asyncDispose]() {
      await Promise.all(open.splice(0).map((r) => r.body?.cancel().catch(() => {})));
      await app.stop();
      store.close();
      dir.cleanup();
    },
  };
}

function withCredential(client: ApiClient, credential: string): ApiClient {
  client.useCredential(credential);
  return client;
}

async function until(predicate: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 2_000; !predicate(); ) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await Bun.sleep(10);
  }
}

test.concurrent("event streams, log follows and audit exports share one cap; a slot is free again when its stream ends or its client goes", async () => {
  // Six slots; loopback TCP (these requests) counts as one client, so it holds at most three.
  await using server = await start({ maxStreams: 6 });
  const { app, service, limits, get, open } = server;
  const job = service.enqueue({ kind: "noop", input: {}, actor: "t" }).job;
  service.registerWorker({ id: "wrk_limits0001", name: "w", kinds: ["noop"], pid: null });
  const claimed = service.claim("wrk_limits0001", ["noop"])!;
  const lease = { jobId: job.id, workerId: "wrk_limits0001", token: claimed.token };
  service.appendLogs(lease, [{ stream: "stdout", line: "hello" }]); // a stream's headers go out with its first chunk
  expect((await get("/events")).status).toBe(200);
  const follow = await get(`/jobs/${job.id}/logs?follow=1`);
  expect(follow.status).toBe(200);
  expect((await get("/events")).status).toBe(200);
  expect(limits.count("stream")).toBe(3);

  const refused = await fetch(`${app.url}/events`);
  expect(refused.status).toBe(429);
  expect(refused.headers.get("retry-after")).toBe("1");
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("too_many_requests");
  const exportRefused = await fetch(`${app.url}/audit/export`);
  expect(exportRefused.status).toBe(429);
  await exportRefused.text();
  // Refused before the stream opened: nothing subscribed, nothing counted.
  expect(limits.count("stream")).toBe(3);

  // The log follow ends when its job does.
  service.complete(lease, null);
  expect(await follow.text()).toContain("event: end");
  await until(() => limits.count("stream") === 2);
  // An events stream frees its slot when its client hangs up.
  await open[0]!.body!.cancel();
  await open[2]!.body!.cancel();
  await until(() => limits.count("stream") === 0);
  // An export frees its slot once read to the end.
  const exported = await get("/audit/export");
  expect(exported.status).toBe(200);
  expect(await exported.text()).toContain("job.created");
  await until(() => limits.count("stream") === 0);
  expect((await get("/events")).status).toBe(200);
});

test.concurrent("a 404 log follow takes no slot", async () => {
  await using server = await start({ maxStreams: 1 });
  const { limits, get } = server;
  expect((await get("/jobs/job_0000000000/logs?follow=1")).status).toBe(404);
  expect(limits.count("stream")).toBe(0);
  expect((await get("/events")).status).toBe(200);
});

test.concurrent("one worker id holds at most two waiting claims; other workers and claims without a wait are not affected", async () => {
  await using server = await start({});
  const { service, limits, claim } = server;
  for (const id of ["wrk_claimer001", "wrk_claimer002"]) service.registerWorker({ id, name: id, kinds: ["noop"], pid: null });
  const stop = new AbortController();
  const waiting = [claim("wrk_claimer001", 5_000, stop.signal), claim("wrk_claimer001", 5_000, stop.signal)];
  await until(() => limits.count("claim_wait") === 2);
  const third = await claim("wrk_claimer001", 5_000);
  expect(third.status).toBe(429);
  expect(await third.json()).toEqual({
    error: {
      code: "too_many_requests",
      message: "worker wrk_claimer001 already has 2 waiting claims, the most one worker may have (2)",
      hint: "a worker claims one job at a time: stop the other process using worker id wrk_claimer001",
      details: { cap: "max_claim_waits_per_worker", max: 2, open: 2 },
    },
  });
  expect((await claim("wrk_claimer001", 0)).status).toBe(204);
  const other = claim("wrk_claimer002", 5_000, stop.signal);
  await until(() => limits.count("claim_wait") === 3);
  // A job wakes one of them; its slot is freed with its reply.
  service.enqueue({ kind: "noop", input: {}, actor: "t" });
  await until(() => limits.count("claim_wait") === 2);
  stop.abort();
  await Promise.allSettled([...waiting, other]);
  await until(() => limits.count("claim_wait") === 0);
});

test.concurrent("a waiting claim outlives the idle timeout: its connection may stay quiet for the wait plus the timeout", async () => {
  await using server = await start({ requestTimeoutSeconds: 2 });
  const { service, claim } = server;
  service.registerWorker({ id: "wrk_patient001", name: "w", kinds: ["noop"], pid: null });
  const started = Date.now();
  const res = await claim("wrk_patient001", 4_500);
  expect(res.status).toBe(204);
  expect(Date.now() - started).toBeGreaterThanOrEqual(4_400);
}, 10_000);

test.concurrent("a worker refused a claim for load waits and claims again instead of exiting", async () => {
  await using server = await start({});
  const { app, service, limits, workerCredential } = server;
  const id = "wrk_refused001";
  service.registerWorker({ id, name: "w", kinds: ["noop"], pid: null });
  // A stray process holds both waiting claims of this worker id (raw sockets: a hang-up the server sees at once).
  const body = JSON.stringify({ kinds: ["noop"], waitMs: 10_000 });
  const stray = [0, 1].map(() => {
    const socket = connect({ path: app.socket }, () =>
      socket.write(`POST /workers/${id}/claim HTTP/1.1\r\nHost: localhost\r\n${CREDENTIAL_HEADER}: ${workerCredential()}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
    );
    return socket;
  });
  await until(() => limits.count("claim_wait") === 2);
  const said: string[] = [];
  const runtime = new WorkerRuntime({
    id,
    name: "w",
    client: withCredential(new ApiClient({ socket: app.socket }), workerCredential()),
    paths: runtimePathsFor("/nonexistent", "/nonexistent/.git"),
    kinds: [noopKind],
    claimWaitMs: 1_000,
    onEvent: (m) => said.push(m),
  });
  const running = runtime.run();
  await until(() => said.some((m) => m.startsWith("claim refused for now: worker wrk_refused001 already has 2 waiting claims")));
  for (const socket of stray) socket.destroy();
  await until(() => limits.count("claim_wait") <= 1);
  const job = service.enqueue({ kind: "noop", input: {}, actor: "t" }).job;
  for (const deadline = Date.now() + 5_000; service.get(job.id).job.state !== "succeeded"; await Bun.sleep(20)) {
    if (Date.now() > deadline) throw new Error(`the worker never ran the job: ${said.join("; ")}`);
  }
  runtime.stop();
  await running;
}, 10_000);

test.concurrent("every cap fits a quarter of the open-file limit, and near the limit no new long-lived request is taken", async () => {
  let openFiles = 10;
  await using server = await start({ maxStreams: 256, fileLimit: 512, openFiles: () => openFiles });
  const { app, limits, get } = server;
  expect(limits.max("stream")).toBe(128);
  expect(limits.max("claim_wait")).toBe(128);
  expect((await get("/events")).status).toBe(200);
  openFiles = 450; // past 512 - 64 reserved
  await Bun.sleep(1_050); // the count is sampled at most once a second
  const refused = await fetch(`${app.url}/events`);
  expect(refused.status).toBe(429);
  expect(await refused.json()).toEqual({
    error: {
      code: "too_many_requests",
      message: "the server has 450 of its 512 file descriptors open; it takes no new streams so that short requests keep being answered",
      hint: "close idle connections and streams to the server, or raise its open-file limit (ulimit -Hn)",
      details: { cap: "open_files", max: 448, open: 450 },
    },
  });
  // Short requests are never refused.
  expect((await fetch(`${app.url}/health`)).status).toBe(200);
});

test.concurrent("an SSE stream outlives the idle timeout: its connection may stay quiet for two heartbeats plus the timeout", async () => {
  await using server = await start({ requestTimeoutSeconds: 2 }, { heartbeatMs: 3_000 });
  const res = await server.get("/events");
  const reader = res.body!.getReader();
  const started = Date.now();
  let text = "";
  while (Date.now() - started < 5_500) text += new TextDecoder().decode((await reader.read()).value);
  expect(text.match(/: heartbeat/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
}, 15_000);

test.concurrent("a listener that knows its caller keys streams by it: one client gets at most half the slots, unkeyed requests only the global cap", () => {
  const limits = new ConnectionLimits({ maxStreams: 4, requestTimeoutSeconds: 30, fileLimit: null, openFiles: () => null });
  const req = () => new Request("http://127.0.0.1/events");
  const mine = [limits.hold(req(), "stream", "uid:1000", 30), limits.hold(req(), "stream", "uid:1000", 30)];
  expect(() => limits.hold(req(), "stream", "uid:1000", 30)).toThrow("this client already has 2 streams open, the most one client may have (half of 4)");
  limits.hold(req(), "stream", "uid:1001", 30);
  limits.hold(req(), "stream", null, 30);
  expect(() => limits.hold(req(), "stream", null, 30)).toThrow("the server already has 4 streams open, the most it allows (server.max_streams = 4)");
  mine[0]!.release();
  mine[0]!.release(); // twice is once
  expect(limits.count("stream")).toBe(3);
  limits.hold(req(), "stream", "uid:1000", 30);
  expect(limits.count("stream")).toBe(4);
});

test.concurrent("a body that stops arriving is a 408 once the deadline passes", async () => {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"kind":'));
    },
  });
  const req = new Request("http://127.0.0.1/jobs", { method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half" } as RequestInit);
  const started = Date.now();
  const err = await readBody(req, z.object({ kind: z.string() }), { maxBytes: 1024, timeoutMs: 200 }).catch((e: unknown) => e);
  expect(isPushpalsError(err, "request_timeout")).toBe(true);
  expect((err as Error).message).toBe("the request body did not arrive within 0.2 s");
  expect(Date.now() - started).toBeLessThan(1_000);
});
