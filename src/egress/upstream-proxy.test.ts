import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { exchange, openTunnel, readUntil, startEchoServer, startHttpUpstream, type Upstream } from "./egress-fixture.ts";
import { startEgressProxy, type EgressProxy } from "./proxy.ts";
import { bypassesProxy, parseNoProxy, upstreamFor, upstreamProxySettings, UpstreamProxyConfigError } from "./upstream-proxy.ts";

describe("the worker's proxy settings", () => {
  test("HTTPS_PROXY and HTTP_PROXY (lower case first), with user:pass as Basic authorization", () => {
    const s = upstreamProxySettings({ HTTPS_PROXY: "http://ignored:1", https_proxy: "http://al%40ice:s3cret@proxy.corp.example:8080", HTTP_PROXY: "proxy.corp.example:3128" });
    expect(s.https).toEqual({ host: "proxy.corp.example", port: 8080, authorization: `Basic ${Buffer.from("al@ice:s3cret").toString("base64")}` });
    expect(s.http).toEqual({ host: "proxy.corp.example", port: 3128, authorization: null });
    expect(upstreamProxySettings({})).toEqual({ https: null, http: null, noProxy: [] });
  });

  test("a proxy URL it cannot use is a typed error naming the variable, never the password", () => {
    const err = (() => {
      try {
        upstreamProxySettings({ HTTPS_PROXY: "https://u:hunter2@proxy.example:443" });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UpstreamProxyConfigError);
    expect((err as UpstreamProxyConfigError).variable).toBe("HTTPS_PROXY");
    expect((err as Error).message).not.toContain("hunter2");
  });

  test("NO_PROXY: *, domains with their subdomains, leading dots, ports, IP literals", () => {
    const rules = parseNoProxy("internal.example, .corp.example,*.svc.example , registry.example:8443,10.1.2.3,[::1]:4873, 10.0.0.0/8");
    const hit = (host: string, port = 443) => bypassesProxy(rules, { host, port });
    expect([hit("internal.example"), hit("npm.internal.example"), hit("xinternal.example")]).toEqual([true, true, false]);
    expect([hit("corp.example"), hit("a.b.corp.example"), hit("a.svc.example")]).toEqual([true, true, true]);
    expect([hit("registry.example", 8443), hit("registry.example", 443)]).toEqual([true, false]);
    expect([hit("10.1.2.3"), hit("10.1.2.4"), hit("::1", 4873), hit("::1", 443)]).toEqual([true, false, true, false]);
    expect(bypassesProxy(parseNoProxy("*"), { host: "anything.example", port: 1 })).toBe(true);
  });

  test("CONNECT uses the https proxy, plain http the http one; NO_PROXY and loopback go direct", () => {
    const s = upstreamProxySettings({ HTTPS_PROXY: "http://tls-proxy:1", HTTP_PROXY: "http://plain-proxy:2", NO_PROXY: "direct.example" });
    expect(upstreamFor(s, { host: "registry.npmjs.org", port: 443 }, "connect")?.host).toBe("tls-proxy");
    expect(upstreamFor(s, { host: "registry.example", port: 80 }, "http")?.host).toBe("plain-proxy");
    expect(upstreamFor(s, { host: "direct.example", port: 443 }, "connect")).toBeNull();
    expect(upstreamFor(s, { host: "localhost", port: 4873 }, "connect")).toBeNull();
    expect(upstreamFor(s, { host: "127.0.0.1", port: 4873 }, "connect")).toBeNull();
  });
});

/**
 * A minimal upstream proxy: records each request head, answers `status`, then relays every tunnel to
 * `relayTo` whatever host it names (so the registry's name needs no DNS in the test).
 */
async function startUpstreamProxy(relayTo: Upstream, status = "200 Connection established"): Promise<{ port: number; heads: string[]; close(): Promise<void> }> {
  const heads: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("error", () => {});
    void readUntil(client, (t) => t.includes("\r\n\r\n")).then((text) => {
      heads.push(text.slice(0, text.indexOf("\r\n\r\n")));
      if (!status.startsWith("200")) return void client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`);
      const origin = connect(relayTo.port, relayTo.host, () => {
        client.write(`HTTP/1.1 ${status}\r\n\r\n`);
        client.pipe(origin).pipe(client);
      });
      sockets.add(origin);
      origin.on("error", () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    heads,
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), sockets.forEach((s) => s.destroy()))),
  };
}

describe("through an upstream proxy", () => {
  const dir = tempDir("pushpals-upstream-");
  let echo: Upstream;
  let http: Upstream;
  let n = 0;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    echo = await startEchoServer();
    http = await startHttpUpstream();
  });
  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
    await echo.close();
    await http.close();
    dir.cleanup();
  });

  async function egress(env: Record<string, string>, relayTo: Upstream, status?: string) {
    const upstream = await startUpstreamProxy(relayTo, status);
    const settings = upstreamProxySettings(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace("PORT", String(upstream.port))])));
    const proxy: EgressProxy = await startEgressProxy({ socketPath: join(dir.path, `p${++n}.sock`), rules: [{ host: "registry.corp.example", port: 443 }, { host: "registry.corp.example", port: 80 }], upstream: settings });
    closers.push(() => proxy.close(), upstream.close);
    return { proxy, upstream };
  }

  test("CONNECT to an allowed registry goes to the upstream proxy, with its credentials, and relays", async () => {
    const { proxy, upstream } = await egress({ HTTPS_PROXY: "http://me:pw@127.0.0.1:PORT" }, echo);
    const { socket, reply } = await openTunnel(proxy.socketPath, "registry.corp.example:443");
    expect(reply.status).toBe(200);
    socket.write("ping through");
    expect(await readUntil(socket, (t) => t.includes("ping through"))).toBe("ping through");
    socket.destroy();
    expect(upstream.heads).toEqual([`CONNECT registry.corp.example:443 HTTP/1.1\r\nHost: registry.corp.example:443\r\nProxy-Authorization: Basic ${Buffer.from("me:pw").toString("base64")}`]);
    // The registry's name was never resolved here, and its (private, loopback) proxy was allowed: the user's own.
    expect(proxy.decisions()[0]).toMatchObject({ allowed: true, reason: expect.stringContaining("through the upstream proxy 127.0.0.1:") });
    expect(JSON.stringify(proxy.decisions())).not.toContain("pw");
  });

  test("the allowlist decides before anything is sent upstream", async () => {
    const { proxy, upstream } = await egress({ HTTPS_PROXY: "http://127.0.0.1:PORT" }, echo);
    const { reply } = await openTunnel(proxy.socketPath, "evil.example:443");
    expect(reply.status).toBe(403);
    expect(upstream.heads).toEqual([]);
  });

  test("a plain http registry is tunnelled through HTTP_PROXY with the origin-form request", async () => {
    const { proxy, upstream } = await egress({ HTTP_PROXY: "http://127.0.0.1:PORT" }, http);
    const reply = await exchange(proxy.socketPath, "GET http://registry.corp.example/lib HTTP/1.1\r\nHost: registry.corp.example\r\n\r\n");
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ method: "GET", url: "/lib" });
    expect(upstream.heads[0]).toStartWith("CONNECT registry.corp.example:80 HTTP/1.1");
  });

  test("an upstream refusal is a 502 naming the proxy and its answer, without the credentials", async () => {
    const { proxy } = await egress({ HTTPS_PROXY: "http://me:topsecret@127.0.0.1:PORT" }, echo, "407 Proxy Authentication Required");
    const { reply } = await openTunnel(proxy.socketPath, "registry.corp.example:443");
    expect(reply.status).toBe(502);
    expect(reply.raw).toContain("answered CONNECT with HTTP/1.1 407 Proxy Authentication Required");
    expect(reply.raw).not.toContain("topsecret");
  });
});
