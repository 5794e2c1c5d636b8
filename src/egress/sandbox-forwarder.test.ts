import { afterAll, beforeAll, expect, test } from "bun:test";
import { createServer, type AddressInfo, type Server } from "node:net";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { startHttpUpstream, type Upstream } from "./egress-fixture.ts";
import { startEgressProxy, type EgressProxy } from "./proxy.ts";

const FORWARDER = join(import.meta.dir, "sandbox-forwarder.ts");
const dir = tempDir("pushpals-egress-forwarder-");
let http: Upstream;
let proxy: EgressProxy;

beforeAll(async () => {
  http = await startHttpUpstream();
  proxy = await startEgressProxy({ socketPath: join(dir.path, "proxy.sock"), rules: [{ host: http.host, port: http.port, trustedLocal: true }] });
});

afterAll(async () => {
  await proxy.close();
  await http.close();
  dir.cleanup();
});

function listenLoopback(port = 0): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** A port nothing listens on right now (not 3128: another forwarder or proxy may hold it). */
async function freePort(): Promise<number> {
  const server = await listenLoopback();
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function forward(port: number, command: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([process.execPath, FORWARDER, proxy.socketPath, String(port), ...command], {
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

test("the command fetches through the forwarder and the proxy; its output and exit code come back", async () => {
  const port = await freePort();
  const script = `
    const res = await fetch("http://${http.host}:${http.port}/via-forwarder");
    console.log(JSON.stringify({ proxy: process.env.HTTPS_PROXY, http: process.env.http_proxy, noProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? null, status: res.status, seen: await res.json() }));
    process.exit(3);`;
  const before = proxy.decisions().length;
  const out = await forward(port, [process.execPath, "-e", script], { NO_PROXY: "127.0.0.1,localhost", no_proxy: "*" });
  expect(out.stderr).toBe("");
  expect(out.code).toBe(3);
  const result = JSON.parse(out.stdout) as { proxy: string; http: string; noProxy: string | null; status: number; seen: { url: string; headers: string[] } };
  expect(result).toMatchObject({ proxy: `http://127.0.0.1:${port}`, http: `http://127.0.0.1:${port}`, noProxy: null, status: 200 });
  expect(result.seen.url).toBe("/via-forwarder");
  // Connection: close is the proxy's doing: the request did go through it.
  expect(result.seen.headers[result.seen.headers.indexOf("Connection") + 1]).toBe("close");
  expect(proxy.decisions().slice(before)).toEqual([expect.objectContaining({ host: http.host, port: http.port, allowed: true })]);
});

test("a refused destination reaches the command as the proxy's 403", async () => {
  const port = await freePort();
  const script = `const res = await fetch("http://${http.host}:${http.port + 1}/"); console.log(res.status, (await res.text()).trim());`;
  const out = await forward(port, [process.execPath, "-e", script]);
  expect(out.code).toBe(0);
  expect(out.stdout.trim()).toBe(`403 pushpals egress: 127.0.0.1:${http.port + 1} is not an allowed registry host`);
});

test("a failing command's exit code, and a signal as 128+n, propagate", async () => {
  expect((await forward(await freePort(), ["sh", "-c", "exit 42"])).code).toBe(42);
  expect((await forward(await freePort(), ["sh", "-c", "kill -TERM $$"])).code).toBe(143);
  const missing = await forward(await freePort(), ["/nonexistent/command"]);
  expect(missing.code).toBe(127);
  expect(missing.stderr).toContain("pushpals: could not run /nonexistent/command");
});

test("SIGTERM to the forwarder reaches the command", async () => {
  const port = await freePort();
  const child = Bun.spawn([process.execPath, FORWARDER, proxy.socketPath, String(port), "sh", "-c", "trap 'echo got-term; exit 9' TERM; echo ready; while :; do sleep 0.05; done"], { stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toBe("ready\n");
  child.kill("SIGTERM");
  const rest = await reader.read();
  expect(new TextDecoder().decode(rest.value)).toBe("got-term\n");
  expect(await child.exited).toBe(9);
});

test("a port already taken: the forwarder says so and exits 125 without running the command", async () => {
  const taken = await listenLoopback();
  try {
    const { port } = taken.address() as AddressInfo;
    const out = await forward(port, ["sh", "-c", "echo ran"]);
    expect(out.code).toBe(125);
    expect(out.stdout).toBe("");
    expect(out.stderr).toStartWith(`pushpals: the egress forwarder could not listen on 127.0.0.1:${port}: `);
  } finally {
    taken.close();
  }
});
