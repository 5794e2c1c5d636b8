import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { exchange, openClient, openTunnel, readAll, readUntil, startEchoServer, startHttpUpstream, type Upstream } from "./egress-fixture.ts";
import { startEgressProxy, type EgressProxy, type EgressProxyOptions } from "./proxy.ts";

const dir = tempDir("pushpals-egress-");
let http: Upstream;
let echo: Upstream;
let counter = 0;
const proxies: EgressProxy[] = [];

beforeAll(async () => {
  http = await startHttpUpstream();
  echo = await startEchoServer();
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await http.close();
  await echo.close();
  dir.cleanup();
});

async function proxy(options: Omit<EgressProxyOptions, "socketPath">): Promise<EgressProxy> {
  const p = await startEgressProxy({ socketPath: join(dir.path, `proxy-${++counter}.sock`), ...options });
  proxies.push(p);
  return p;
}

const get = (host: string, port: number, path = "/pkg?x=1", extra = "") => `GET http://${host}:${port}${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${extra}\r\n`;

describe("plain http:// through the proxy", () => {
  test("reaches a loopback server only through a trustedLocal rule for exactly its host:port", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port, trustedLocal: true }] });
    const reply = await exchange(p.socketPath, get(http.host, http.port, "/left-pad?write=false#frag", "Proxy-Connection: keep-alive\r\nProxy-Authorization: Basic eDp5\r\nConnection: keep-alive\r\nX-Kept: yes\r\n"));
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body) as { method: string; url: string; headers: string[] };
    expect(seen.method).toBe("GET");
    expect(seen.url).toBe("/left-pad?write=false");
    const names = seen.headers.filter((_, i) => i % 2 === 0).map((h) => h.toLowerCase());
    expect(names).not.toContain("proxy-connection");
    expect(names).not.toContain("proxy-authorization");
    expect(seen.headers).toContain("X-Kept");
    expect(seen.headers[seen.headers.indexOf("Connection") + 1]).toBe("close");
    expect(seen.headers[seen.headers.indexOf("Host") + 1]).toBe(`${http.host}:${http.port}`);
    expect(p.decisions()).toEqual([expect.objectContaining({ host: http.host, port: http.port, allowed: true })]);
    expect(p.denied()).toEqual([]);
  });

  test("a body already sent with the head goes upstream", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port, trustedLocal: true }] });
    const body = "name=left-pad";
    const req = `POST http://${http.host}:${http.port}/submit HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const reply = await exchange(p.socketPath, req);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ method: "POST", url: "/submit", body });
  });

  test("the same address on another port is refused", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port + 1, trustedLocal: true }] });
    const reply = await exchange(p.socketPath, get(http.host, http.port));
    expect(reply.status).toBe(403);
    expect(reply.body).toBe(`pushpals egress: 127.0.0.1:${http.port} is not an allowed registry host\n`);
    expect(p.denied()).toEqual([expect.objectContaining({ host: "127.0.0.1", port: http.port, allowed: false, reason: `127.0.0.1:${http.port} is not an allowed registry host` })]);
  });

  test("without trustedLocal a loopback address is refused", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port }] });
    const reply = await exchange(p.socketPath, get(http.host, http.port));
    expect(reply.status).toBe(403);
    expect(reply.body).toContain("loopback");
    expect(p.denied()[0]?.reason).toContain("127.0.0.1, a loopback address");
  });

  test("a deny entry wins over a trustedLocal rule, by name and by resolved address", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port, trustedLocal: true }, { host: "localhost", port: http.port, trustedLocal: true }], deny: [{ host: "127.0.0.1", port: http.port }] });
    const direct = await exchange(p.socketPath, get(http.host, http.port));
    expect(direct.status).toBe(403);
    expect(direct.body).toBe(`pushpals egress: 127.0.0.1:${http.port} is never reachable from the sandbox\n`);
    const byName = await exchange(p.socketPath, get("localhost", http.port));
    expect(byName.status).toBe(403);
    expect(byName.body).toContain("is never reachable from the sandbox");
    expect(p.denied()).toHaveLength(2);
  });

  test("an origin-form or malformed request gets 400", async () => {
    const p = await proxy({ rules: [{ host: http.host, port: http.port, trustedLocal: true }] });
    expect((await exchange(p.socketPath, "GET /pkg HTTP/1.1\r\nHost: x\r\n\r\n")).status).toBe(400);
    expect((await exchange(p.socketPath, `GET http://u:p@${http.host}:${http.port}/ HTTP/1.1\r\n\r\n`)).status).toBe(400);
    expect((await exchange(p.socketPath, `GET https://${http.host}:${http.port}/ HTTP/1.1\r\n\r\n`)).status).toBe(400);
    expect(p.decisions()).toEqual([]);
  });

  test("a refused upstream connection gets 502", async () => {
    const closed = await startEchoServer();
    const port = closed.port;
    await closed.close();
    const p = await proxy({ rules: [{ host: "127.0.0.1", port, trustedLocal: true }] });
    const reply = await exchange(p.socketPath, get("127.0.0.1", port));
    expect(reply.status).toBe(502);
    expect(reply.body).toBe(`pushpals egress: could not connect to 127.0.0.1:${port}: ECONNREFUSED\n`);
  });
});

describe("CONNECT tunnels", () => {
  test("bytes flow both ways through a tunnel to an allowed trustedLocal server, early bytes first", async () => {
    const p = await proxy({ rules: [{ host: "LOCALHOST", port: echo.port, trustedLocal: true }] });
    const { socket, reply } = await openTunnel(p.socketPath, `localhost:${echo.port}`);
    expect(reply.raw).toBe("HTTP/1.1 200 Connection Established\r\n\r\n");
    const back = readUntil(socket, (t) => t.includes("world"));
    socket.write("hello ");
    socket.write("world");
    expect(await back).toBe("hello world");
    socket.destroy();

    // Bytes sent right behind the CONNECT head, before the 200 came back, are not lost; a half-close
    // reaches the server, whose answer still comes back before both ends close.
    const client = await openClient(p.socketPath);
    const all = readAll(client);
    client.end(`CONNECT localhost:${echo.port} HTTP/1.1\r\n\r\nearly-bytes`);
    expect(await all).toBe("HTTP/1.1 200 Connection Established\r\n\r\nearly-bytes");
  });

  test("a host that is not listed is refused with 403 naming it", async () => {
    const p = await proxy({ rules: [{ host: "registry.npmjs.org", port: 443 }] });
    const reply = await exchange(p.socketPath, "CONNECT registry.evil.test:443 HTTP/1.1\r\nHost: registry.evil.test:443\r\n\r\n");
    expect(reply.status).toBe(403);
    expect(reply.body).toBe("pushpals egress: registry.evil.test:443 is not an allowed registry host\n");
    expect(p.denied()).toEqual([{ host: "registry.evil.test", port: 443, allowed: false, status: 403, reason: "registry.evil.test:443 is not an allowed registry host", at: expect.any(Number) }]);
  });

  test("a name resolving to loopback is refused without trustedLocal; a CONNECT without port is malformed", async () => {
    const p = await proxy({ rules: [{ host: "localhost", port: echo.port }] });
    const reply = await exchange(p.socketPath, `CONNECT localhost:${echo.port} HTTP/1.1\r\n\r\n`);
    expect(reply.status).toBe(403);
    expect(reply.body).toMatch(/^pushpals egress: localhost:\d+ resolves to (127\.0\.0\.1|::1), a loopback address/);
    expect((await exchange(p.socketPath, "CONNECT localhost HTTP/1.1\r\n\r\n")).status).toBe(400);
  });

  test("an IPv4-mapped IPv6 literal of loopback is loopback", async () => {
    const p = await proxy({ rules: [{ host: "::ffff:127.0.0.1", port: echo.port }] });
    const reply = await exchange(p.socketPath, `CONNECT [::ffff:127.0.0.1]:${echo.port} HTTP/1.1\r\n\r\n`);
    expect(reply.status).toBe(403);
    expect(reply.body).toContain("127.0.0.1, a loopback address");
  });
});

describe("the socket", () => {
  test("is its owner's only, and close() removes it and ends open tunnels", async () => {
    const p = await proxy({ rules: [{ host: "127.0.0.1", port: echo.port, trustedLocal: true }] });
    expect(statSync(p.socketPath).mode & 0o777).toBe(0o600);
    const { socket } = await openTunnel(p.socketPath, `127.0.0.1:${echo.port}`);
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    await p.close();
    await closed;
    expect(existsSync(p.socketPath)).toBe(false);
  });
});
