import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { ApiClient } from "../client/api-client.ts";
import { routeTarget } from "./call-input.ts";
import { PushpalsError } from "../core/errors.ts";
import type { RunningApp } from "../server/app.ts";
import { socketClient, startTestApp } from "../../test/helpers/app.ts";
import { personOf } from "../identity/os-users.ts";
import { json } from "../server/http.ts";
import { Router } from "../server/router.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { defineRoutes, type Route } from "./define-route.ts";
import { Ok } from "./responses.ts";
import { routes } from "./routes.ts";

const SAMPLE_PARAMS: Record<string, string | number> = { id: "job_0000000000", name: "worker-1", number: 1 };

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;

beforeAll(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path);
});

afterAll(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

describe("the route table", () => {
  test("every entry is named after its key and answers JSON, a stream or both, or text", () => {
    for (const [key, route] of Object.entries(routes) as [string, Route][]) {
      expect(route.name).toBe(key);
      expect(route.path).toStartWith("/");
      expect(Boolean(route.response) || Boolean(route.stream) || Boolean(route.text)).toBe(true);
    }
  });

  test("two entries for one method and path are refused", () => {
    expect(() => defineRoutes({ a: { method: "GET", path: "/x", response: Ok }, b: { method: "GET", path: "/x", response: Ok } })).toThrow(/declared twice/);
  });

  test("the router registers only contract entries, each once, and lists the ones without a handler", () => {
    const table = defineRoutes({ one: { method: "GET", path: "/one", response: Ok }, two: { method: "GET", path: "/two", response: Ok } });
    const router = new Router(table, { maxBytes: 1024, timeoutMs: 30_000 });
    const stranger = defineRoutes({ one: { method: "GET", path: "/one", response: Ok } }).one;
    expect(() => router.route(stranger, () => json({ ok: true as const }))).toThrow(/not in the API contract/);
    router.route(table.one, () => json({ ok: true as const }));
    expect(() => router.route(table.one, () => json({ ok: true as const }))).toThrow(/registered twice/);
    expect(router.unregistered().map((r) => r.name)).toEqual(["two"]);
  });
});

describe("the server and the contract", () => {
  // startApp refuses to start with an entry missing; this checks each entry's method and path are what the server answers.
  for (const route of Object.values(routes) as Route[]) {
    test(`${route.method} ${route.path} (${route.name}) reaches a handler`, async () => {
      const abort = new AbortController();
      // Over the owner's socket, where every route is answered (the TCP listener answers reads only).
      const res = await fetch(`http://localhost${routeTarget(route, SAMPLE_PARAMS, undefined)}`, {
        unix: app.socket,
        method: route.method,
        headers: route.body ? { "content-type": "application/json" } : {},
        body: route.body ? "{}" : undefined,
        signal: abort.signal,
      });
      const type = res.headers.get("content-type") ?? "";
      if (type.startsWith("application/json")) {
        const body = (await res.json()) as { error?: { code: string; message: string } };
        expect(body.error?.code).not.toBe("method_not_allowed");
        expect(body.error?.message ?? "").not.toStartWith("no such endpoint");
      }
      abort.abort();
    });
  }
});

describe("replies match their schemas", () => {
  test("a worker's whole round trip and every read, with every reply checked", async () => {
    const api = socketClient(app, { role: "worker", name: "worker-9" });
    const supervisor = socketClient(app, { role: "supervisor", name: "supervisor" });
    const person = socketClient(app, null);
    const workerId = "wrk_contract01";
    const worker = await api.call(routes.registerWorker, { body: { id: workerId, name: "contract", kinds: ["noop"], pid: null } });
    expect(worker.worker.id).toBe(workerId);
    expect(await api.call(routes.claimJob, { params: { id: workerId }, body: { kinds: ["noop"] } })).toBeNull();
    const { job } = await person.call(routes.enqueueJob, { body: { kind: "noop", input: {} } });
    const claim = (await api.call(routes.claimJob, { params: { id: workerId }, body: { kinds: ["noop"] } }))!;
    expect(claim.job.id).toBe(job.id);
    const params = { id: job.id };
    const lease = { workerId, token: claim.token };
    expect((await api.call(routes.heartbeatJob, { params, body: lease })).cancelRequested).toBe(false);
    expect(await api.call(routes.appendJobLogs, { params, body: { ...lease, lines: [{ stream: "stdout", line: "hello" }] } })).toEqual({ stored: 1, dropped: 0 });
    expect(await api.call(routes.reportProgress, { params, body: { ...lease, progress: { step: 1 } } })).toEqual({ ok: true });
    expect(await api.call(routes.recordCommand, { params, body: { ...lease, command: "true", exitCode: 0, durationMs: 1 } })).toEqual({ ok: true });
    const tests = (run: string, status: "passed" | "failed") => ({
      commit: "c".repeat(40),
      check: "test",
      run,
      tests: { format: "tap" as const, totals: { passed: 0, failed: 0, skipped: 0, errored: 0 }, truncated: false, outcomes: [{ id: "a.test.ts > t", status, durationMs: 1, message: status === "failed" ? "boom" : null }] },
    });
    expect(await api.call(routes.recordTests, { params, body: { ...lease, ...tests("test#triage-1", "failed") } })).toEqual({ ok: true, recorded: 1 });
    expect(await api.call(routes.recordTests, { params, body: { ...lease, ...tests("test#triage-1", "failed") } })).toEqual({ ok: true, recorded: 0 });
    expect(await api.call(routes.recordTests, { params, body: { ...lease, ...tests("test#triage-2", "passed") } })).toEqual({ ok: true, recorded: 1 });
    const stale = await api.call(routes.recordTests, { params, body: { ...lease, token: lease.token + 1, ...tests("test#triage-3", "failed") } }).catch((e: unknown) => e);
    expect((stale as PushpalsError).code).toBe("lease_lost");
    const otherRole = await socketClient(app, { role: "scm", name: "scm" }).call(routes.recordTests, { params, body: { ...lease, ...tests("test#triage-3", "failed") } }).catch((e: unknown) => e);
    expect((otherRole as PushpalsError).code).toBe("forbidden");
    expect((await api.call(routes.completeJob, { params, body: { ...lease, result: { done: true } } })).job.state).toBe("succeeded");

    expect((await api.call(routes.jobLogs, { params, query: { after: 0 } })).lines.map((l) => l.line)).toContain("hello");
    expect((await api.call(routes.getJob, { params })).transitions.at(-1)?.to).toBe("succeeded");
    expect((await api.call(routes.listJobs, { query: { state: "succeeded", limit: 10 } })).jobs.map((j) => j.id)).toEqual([job.id]);
    expect((await api.call(routes.health)).ok).toBe(true);
    expect((await api.call(routes.status)).counts.succeeded).toBe(1);
    expect((await api.call(routes.verifyAudit)).ok).toBe(true);
    expect((await api.call(routes.listWorkers)).workers.map((w) => w.id)).toContain(workerId);
    expect((await api.call(routes.componentReady, { params: { name: "worker-9" }, body: { role: "worker", pid: null, workerId } })).component.state).toBe("ready");
    expect(await api.call(routes.componentHeartbeat, { params: { name: "worker-9" } })).toEqual({ ok: true });
    expect((await api.call(routes.listComponents)).components.map((c) => c.name)).toContain("worker-9");
    expect((await supervisor.call(routes.workerLost, { params: { id: workerId }, body: { reason: "test" } })).jobs).toBe(0);
    expect((await api.call(routes.listPrs)).prs).toEqual([]);
    const flaky = await api.call(routes.flakyTests, { query: { check: "test" } });
    expect(flaky.tests.map((t) => [t.id, t.runs, t.failures, t.flakyCommits, t.consecutivePasses])).toEqual([["a.test.ts > t", 2, 1, 1, 1]]);
    expect((await api.call(routes.flakyTests, { query: { check: "lint" } })).tests).toEqual([]);
    // A read: the loopback TCP listener answers it too.
    expect((await new ApiClient({ url: app.url }, { checkReplies: true }).call(routes.flakyTests, { query: { limit: 5 } })).tests).toHaveLength(1);
    const me = personOf(process.getuid!());
    expect((await person.call(routes.pause)).paused.by).toBe(me);
    expect((await api.call(routes.getControl)).paused?.by).toBe(me);
    expect(await person.call(routes.resume)).toEqual({ paused: null });
    expect((await person.call(routes.issueCredential, { body: { role: "scm", name: "scm" } })).credential).toStartWith("pp1.scm.scm.");
  });

  test("a reply that does not match its schema is an internal error naming the route and field", async () => {
    const liar = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true, pid: "not a number", version: "x", lastEventSeq: 0 }) });
    try {
      const checked = new ApiClient({ url: `http://127.0.0.1:${liar.port}` }, { checkReplies: true });
      const err = await checked.call(routes.health).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushpalsError);
      expect((err as PushpalsError).code).toBe("internal");
      expect((err as PushpalsError).message).toContain("health");
      expect((err as PushpalsError).message).toContain("pid");
      // Unchecked (the default), the reply passes through as sent.
      expect((await new ApiClient({ url: `http://127.0.0.1:${liar.port}` }).call(routes.health)).pid as unknown).toBe("not a number");
    } finally {
      await liar.stop(true);
    }
  });
});

test("the client encodes path parameters and leaves unset query values out", () => {
  expect(routeTarget(routes.getJob, { id: "job_a/../b" }, undefined)).toBe("/jobs/job_a%2F..%2Fb");
  expect(routeTarget(routes.prGate, { number: 7 }, { head: "abc", base: "feature x", baseSha: undefined })).toBe("/prs/7/gate?head=abc&base=feature+x");
  expect(routeTarget(routes.listJobs, undefined, {})).toBe("/jobs");
  expect(() => routeTarget(routes.getJob, {}, undefined)).toThrow(/:id/);
});
