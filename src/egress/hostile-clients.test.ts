import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { exchange, openClient, openTunnel, readAll, startHttpUpstream, type Upstream } from "./egress-fixture.ts";
import { startEgressProxy, type EgressProxy } from "./proxy.ts";

const dir = tempDir("pushpals-egress-hostile-");
let http: Upstream;
let proxy: EgressProxy;

beforeAll(async () => {
  http = await startHttpUpstream();
  proxy = await startEgressProxy({ socketPath: join(dir.path, "proxy.sock"), rules: [{ host: http.host, port: http.port, trustedLocal: true }], headTimeoutMs: 200 });
});

afterAll(async () => {
  await proxy.close();
  await http.close();
  dir.cleanup();
});

/** The proxy still serves a well-behaved client, and holds no socket of the hostile ones. */
async function stillServes(): Promise<void> {
  const reply = await exchange(proxy.socketPath, `GET http://${http.host}:${http.port}/ok HTTP/1.1\r\nHost: x\r\n\r\n`);
  expect(reply.status).toBe(200);
  // The proxy's side of a closed connection closes a few event-loop turns later: yield, never sleep.
  for (let i = 0; i < 1000 && proxy.openSockets() > 0; i++) await new Promise((resolve) => setImmediate(resolve));
  expect(proxy.openSockets()).toBe(0);
}

test("garbage gets 400", async () => {
  const reply = await exchange(proxy.socketPath, Buffer.from([0, 1, 2, 255, 13, 10, 13, 10]));
  expect(reply.status).toBe(400);
  expect((await exchange(proxy.socketPath, "GET http://x:1/ HTTP/1.1\r\nno colon here\r\n\r\n")).status).toBe(400);
  expect((await exchange(proxy.socketPath, "CONNECT a b c HTTP/1.1\r\n\r\n")).status).toBe(400);
  expect((await exchange(proxy.socketPath, "CONNECT host:99999 HTTP/1.1\r\n\r\n")).status).toBe(400);
  await stillServes();
});

test("a head over 16 KiB gets 431, whether or not it ever ends", async () => {
  const endless = await exchange(proxy.socketPath, `GET http://${http.host}:${http.port}/ HTTP/1.1\r\nX-Big: ${"a".repeat(20_000)}`);
  expect(endless.status).toBe(431);
  const ended = await exchange(proxy.socketPath, `GET http://${http.host}:${http.port}/ HTTP/1.1\r\nX-Big: ${"a".repeat(16_370)}\r\n\r\n`);
  expect(ended.status).toBe(431);
  await stillServes();
});

test("a client that disconnects mid-head, right after its head, inside a tunnel, or half-closes early is let go", async () => {
  const midHead = await openClient(proxy.socketPath);
  midHead.on("error", () => {});
  midHead.write("CONNECT 127.0.0.1:");
  midHead.destroy();

  const afterHead = await openClient(proxy.socketPath);
  afterHead.on("error", () => {});
  afterHead.write(`CONNECT ${http.host}:${http.port} HTTP/1.1\r\n\r\n`);
  afterHead.destroy();

  // A tunnel whose client vanishes: the upstream connection is ended too (stillServes counts it).
  const tunnel = await openTunnel(proxy.socketPath, `${http.host}:${http.port}`);
  expect(tunnel.reply.status).toBe(200);
  tunnel.socket.destroy();

  const halfClosed = await openClient(proxy.socketPath);
  const all = readAll(halfClosed);
  halfClosed.end("GET http://");
  expect(await all).toBe("");
  await stillServes();
});

test("a client that sends nothing is closed after the head timeout", async () => {
  const silent = await openClient(proxy.socketPath);
  expect(await readAll(silent)).toBe("");
  await stillServes();
});
