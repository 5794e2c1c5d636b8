import { afterEach, expect, test } from "bun:test";
import { connect } from "node:net";
import { resolve } from "node:path";
import { routes } from "../src/api/routes.ts";
import { Cluster, PUSHPALS_BIN, spawnPushpals } from "./helpers/cluster.ts";
import type { SlowGroupReport, StreamReport } from "./helpers/flood-client.ts";

/**
 * Hole 8: one local process floods the server with SSE streams and slow, half-sent requests. The
 * server (a real `pushpals serve`) must refuse streams past its cap with a 429 that says which cap and
 * how to fix it, drop the half-sent requests after its timeouts, and keep answering `/health` within
 * a second and the CLI throughout; once the flood ends every slot is free again.
 */

const FLOODER = resolve(import.meta.dir, "helpers/flood-client.ts");
const MAX_STREAMS = 40;
/** Loopback TCP, which does not say who connects, counts as one client: at most half the streams, the rest kept for the sockets. */
const TCP_SHARE = MAX_STREAMS / 2;

let cluster: Cluster | null = null;
let flooder: ReturnType<typeof startFlooder> | null = null;

afterEach(async () => {
  flooder?.proc.kill("SIGKILL");
  await flooder?.proc.exited;
  flooder = null;
  await cluster?.stop();
  cluster = null;
});

function startFlooder(spec: Record<string, number>) {
  const proc = Bun.spawn([process.execPath, FLOODER, JSON.stringify(spec)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reports: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  void (async () => {
    let buffer = "";
    for await (const chunk of proc.stdout) {
      buffer += new TextDecoder().decode(chunk);
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        reports.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
        for (const w of waiters) w();
      }
    }
  })();
  const report = <T>(key: string, timeoutMs = 30_000) =>
    new Promise<T>((resolvePromise, reject) => {
      const check = () => {
        const found = reports.find((r) => key in r);
        if (!found) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolvePromise(found[key] as T);
      };
      const timer = setTimeout(() => reject(new Error(`the flooder never reported ${key}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    proc,
    report,
    async end() {
      proc.stdin.end();
      await proc.exited;
    },
  };
}

/** GET /health on a fresh TCP connection (as a new CLI process would make), timed. */
function probeHealth(port: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    let text = "";
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolvePromise({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), ms: performance.now() - started });
    });
  });
}

/** Probes /health every 100 ms until stopped; every answer must be a 200 within a second. */
function healthWatch(port: number) {
  const probes: { status: number; ms: number }[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      probes.push(await probeHealth(port));
      await Bun.sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return probes;
    },
  };
}

/** The CLI as a child process, without blocking this process (the health probes keep running). */
async function cli(c: Cluster, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([PUSHPALS_BIN, ...args], { cwd: c.root, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { exitCode: await proc.exited, stdout, stderr };
}

async function openStreams(url: string, count: number): Promise<Response[]> {
  return Promise.all(Array.from({ length: count }, () => fetch(`${url}/events`)));
}

test("a flood of SSE streams and half-sent requests: 429 past the cap, half-sent ones dropped, /health within 1 s, the CLI works, slots free afterwards", async () => {
  cluster = await Cluster.create({ configToml: `[server]\nmax_streams = ${MAX_STREAMS}\nrequest_timeout_seconds = 2\n` });
  await cluster.startServer();
  const url = cluster.client.url();
  const port = Number(new URL(url).port);
  const health = healthWatch(port);

  flooder = startFlooder({ port, streams: 300, partialHeaders: 100, trickles: 50, partialBodies: 100 });
  const streams = await flooder.report<StreamReport>("streams");
  expect(streams.statuses).toEqual({ "200": TCP_SHARE, "429": 300 - TCP_SHARE });
  expect(streams.refusal!.headers["content-type"]).toStartWith("application/json");
  expect(streams.refusal!.headers["retry-after"]).toBe("1");
  expect(streams.refusal!.headers.connection).toBe("close");
  expect(streams.refusal!.body).toEqual({
    error: {
      code: "too_many_requests",
      message: `this client already has ${TCP_SHARE} streams open, the most one client may have (half of ${MAX_STREAMS})`,
      hint: "close some of its streams first",
      details: { cap: "max_streams_per_client", max: TCP_SHARE, open: TCP_SHARE },
    },
  });

  // While the streams are held and the half-sent requests pile up: the CLI answers, and the owner's own
  // streams (on the socket) still open, since TCP holds only its share.
  const status = await cli(cluster, ["status", "--json"]);
  expect(status.exitCode).toBe(0);
  expect(JSON.parse(status.stdout)).toHaveProperty("counts");
  const own = await cluster.client.stream(routes.events);
  expect(own.status).toBe(200);
  await own.body?.cancel();

  const slow = await flooder.report<Record<string, SlowGroupReport>>("slow");
  // Headers that never finish, even trickled a byte at a time: Bun drops them after about 10 s, with no answer.
  for (const name of ["partialHeaders", "trickles"]) {
    expect({ name, ...slow[name]! }).toMatchObject({ name, opened: slow[name]!.opened, closed: slow[name]!.opened, statuses: [] });
    expect(slow[name]!.maxClosedAfterMs).toBeLessThan(15_000);
  }
  expect(slow.partialHeaders!.opened).toBe(100);
  expect(slow.trickles!.opened).toBe(50);
  // A body that never finishes: on loopback TCP every write is refused (403) before its body is read,
  // so it is answered at once (the body reader's 408 deadline is covered in connection-limits.test.ts).
  expect(slow.partialBodies!.opened).toBe(100);
  expect(slow.partialBodies!.closed).toBe(100);
  expect(slow.partialBodies!.maxClosedAfterMs).toBeLessThan(7_000);
  expect(new Set(slow.partialBodies!.statuses)).toEqual(new Set(slow.partialBodies!.statuses.length ? [403] : []));
  expect(new Set(slow.partialBodies!.codes)).toEqual(new Set(slow.partialBodies!.codes.length ? ["forbidden"] : []));
  // Nothing half-sent was written.
  expect((await cluster.client.call(routes.listJobs, { query: {} })).jobs).toEqual([]);

  // The flood ends: every slot is free again, and the cap is exactly where it was.
  await flooder.end();
  flooder = null;
  let fresh: Response[] = [];
  for (const deadline = Date.now() + 5_000; ; ) {
    fresh = await openStreams(url, TCP_SHARE);
    if (fresh.every((r) => r.status === 200) || Date.now() > deadline) break;
    await Promise.all(fresh.map((r) => r.body?.cancel()));
    await Bun.sleep(100);
  }
  expect(fresh.map((r) => r.status)).toEqual(Array(TCP_SHARE).fill(200));
  const over = await fetch(`${url}/events`);
  expect(over.status).toBe(429);
  await over.text();
  await Promise.all(fresh.map((r) => r.body?.cancel()));

  const probes = await health.stop();
  expect(probes.length).toBeGreaterThan(20);
  expect(probes.filter((p) => p.status !== 200 || p.ms >= 1_000)).toEqual([]);
}, 60_000);

test("the caps fit the open-file limit: under `ulimit -n 256` the server takes 64 streams (32 from TCP), refuses the rest, and keeps answering", async () => {
  cluster = await Cluster.create();
  const server = spawnPushpals(["serve", "--tick-ms", "50"], cluster.root, {}, ["sh", "-c", 'ulimit -n 256 && exec "$@"', "sh"]);
  cluster.procs.push(server);
  await server.waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+/);
  expect(server.output()).toContain("[server] the open-file limit (256) allows 64 concurrent streams, fewer than server.max_streams = 256");
  const port = Number(new URL(cluster.client.url()).port);
  const health = healthWatch(port);

  flooder = startFlooder({ port, streams: 300 });
  const streams = await flooder.report<StreamReport>("streams");
  // 64 streams fit; loopback TCP, one client, gets half of them.
  expect(streams.statuses).toEqual({ "200": 32, "429": 268 });
  expect(streams.refusal!.body).toMatchObject({ error: { code: "too_many_requests", message: "this client already has 32 streams open, the most one client may have (half of 64)" } });
  const status = await cli(cluster, ["status", "--json"]);
  expect(status.exitCode).toBe(0);
  await Bun.sleep(500);
  const probes = await health.stop();
  expect(probes.length).toBeGreaterThan(3);
  expect(probes.filter((p) => p.status !== 200 || p.ms >= 1_000)).toEqual([]);
}, 30_000);
