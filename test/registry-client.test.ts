import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NpmConfigSources } from "../src/deps/npm-config.ts";
import { fetchPackuments, type FetchPackumentsOptions } from "../src/registry/fetch-packuments.ts";
import { RegistryFailure } from "../src/registry/registry-failure.ts";
import { readNpmConfigSources } from "../src/registry/registry-config.ts";
import { startCorporateProxy } from "./helpers/corporate-proxy.ts";
import { localServer, publishVersions, startAccessVerdaccio, type AccessRegistry, type LocalServer } from "./helpers/registry-fixture.ts";
import { tempDir } from "./helpers/temp.ts";

// Issue #16, registry access: npm's own client against a real Verdaccio (offline) through two recording
// forwarders (the default registry, and the one `@private:registry` names, whose token Verdaccio needs),
// and small local servers for the faults Verdaccio does not make. Nothing leaves 127.0.0.1.

const scratch = tempDir("pushpals-registry-client-");
let verdaccio: AccessRegistry;
let publicRegistry: LocalServer;
let privateRegistry: LocalServer;
const servers: LocalServer[] = [];
let caches = 0;

beforeAll(async () => {
  verdaccio = await startAccessVerdaccio();
  await publishVersions(verdaccio.url, verdaccio.token, "lib-a", [
    { version: "1.0.0", engines: { node: ">=18" } },
    { version: "1.1.0", deprecated: "use 1.2.0" },
    { version: "1.2.0" },
    { version: "2.0.0", engines: { node: ">=22" } },
  ]);
  await publishVersions(verdaccio.url, verdaccio.token, "@private/x", [{ version: "1.0.0" }, { version: "1.1.0" }]);
  publicRegistry = localServer(() => undefined, verdaccio.url);
  privateRegistry = localServer(() => undefined, verdaccio.url);
  servers.push(publicRegistry, privateRegistry);
}, 30_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await verdaccio?.stop();
  scratch.cleanup();
});

const TOKEN_LINE = () => `//127.0.0.1:${privateRegistry.port}/:_authToken=${verdaccio.token}`;
const userNpmrc = (lines: string[] = [TOKEN_LINE()]) => [`registry=${publicRegistry.url}`, `@private:registry=${privateRegistry.url}`, ...lines].join("\n");
const config = (user: string, project: string | null = null, env: Record<string, string> = {}): NpmConfigSources => ({ user, project, env });
const freshCache = () => join(scratch.path, `cache-${++caches}`);

function options(npmConfig: NpmConfigSources, extra: Partial<FetchPackumentsOptions> = {}): FetchPackumentsOptions {
  return { npmConfig, cacheDir: freshCache(), retries: 0, timeoutMs: 5_000, ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<RegistryFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RegistryFailure) return err;
    throw err;
  }
  throw new Error("expected a RegistryFailure");
}

/** Everything of a failure a person or a record could see. */
const everything = (f: RegistryFailure) => `${f.message}\n${JSON.stringify(f.toFailure())}\n${JSON.stringify(f)}\n${String(f.stack)}`;

describe("against Verdaccio", () => {
  test("full documents from the default and the scoped registry; the token goes to its registry only, and Verdaccio needs it", async () => {
    const before = { public: publicRegistry.seen.length, private: privateRegistry.seen.length };
    const log: string[] = [];
    const docs = await fetchPackuments(["lib-a", "@private/x", "lib-a"], options(config(userNpmrc()), { log: (l) => log.push(l) }));
    expect([...docs.keys()].sort()).toEqual(["@private/x", "lib-a"]);

    const lib = docs.get("lib-a")!;
    expect(lib.source).toBe("fetched");
    expect(lib.registry).toBe(publicRegistry.url);
    expect(Object.keys(lib.packument.versions).sort()).toEqual(["1.0.0", "1.1.0", "1.2.0", "2.0.0"]);
    expect(lib.packument.versions["1.1.0"]!.deprecated).toBe("use 1.2.0");
    expect(lib.packument.versions["2.0.0"]!.engines?.node).toBe(">=22");
    expect(lib.packument["dist-tags"]?.latest).toBe("2.0.0");
    // Verdaccio records each version's publish time.
    for (const v of ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]) expect(Date.parse(lib.packument.time![v]!)).toBeGreaterThan(Date.now() - 120_000);
    expect(docs.get("@private/x")!.registry).toBe(privateRegistry.url);
    expect(Object.keys(docs.get("@private/x")!.packument.versions)).toEqual(["1.0.0", "1.1.0"]);

    const publicSeen = publicRegistry.seen.slice(before.public);
    const privateSeen = privateRegistry.seen.slice(before.private);
    expect(publicSeen.map((s) => [s.path, s.authorization])).toEqual([["/lib-a", null]]);
    expect(privateSeen.map((s) => [s.path, s.authorization])).toEqual([["/@private/x", `Bearer ${verdaccio.token}`]]);
    expect(log.join("\n")).not.toContain(verdaccio.token);
    expect(JSON.stringify([...docs])).not.toContain(verdaccio.token);

    // Without the token line Verdaccio refuses the scope: the token above is what let it through.
    const refused = await failureOf(fetchPackuments(["@private/x"], options(config(userNpmrc([])))));
    expect([refused.failureClass, refused.fault, refused.packageName, refused.registryHost]).toEqual(["environment", "unauthorized", "@private/x", `127.0.0.1:${privateRegistry.port}`]);
    expect(refused.message).toContain("HTTP 401");
  });

  test("a cached document is revalidated with its ETag: Verdaccio's 304 reuses it, a new version fetches it again", async () => {
    const cacheDir = freshCache();
    const npmConfig = config(userNpmrc());
    const first = await fetchPackuments(["lib-a", "@private/x"], options(npmConfig, { cacheDir }));
    expect([...first.values()].map((d) => d.source)).toEqual(["fetched", "fetched"]);
    const mark = publicRegistry.seen.length;

    const second = await fetchPackuments(["lib-a", "@private/x"], options(npmConfig, { cacheDir }));
    expect([...second.values()].map((d) => d.source)).toEqual(["revalidated", "revalidated"]);
    expect(second.get("lib-a")!.packument).toEqual(first.get("lib-a")!.packument);
    expect(publicRegistry.seen[mark]!.ifNoneMatch).toMatch(/^".+"$/);

    await publishVersions(verdaccio.url, verdaccio.token, "lib-a", [{ version: "2.1.0" }]);
    const third = await fetchPackuments(["lib-a"], options(npmConfig, { cacheDir }));
    expect(third.get("lib-a")!.source).toBe("fetched");
    expect(Object.keys(third.get("lib-a")!.packument.versions)).toContain("2.1.0");
    // Whole entries only: one file per package, no temporary file left.
    expect(readdirSync(cacheDir).filter((f) => !/^[0-9a-f]{64}\.json$/.test(f))).toEqual([]);
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  test("a package the registry does not have is a clear environment failure, not retried", async () => {
    const f = await failureOf(fetchPackuments(["lib-a", "no-such-package"], options(config(userNpmrc()))));
    expect([f.failureClass, f.fault, f.packageName, f.registryHost]).toEqual(["environment", "not_found", "no-such-package", `127.0.0.1:${publicRegistry.port}`]);
    expect(f.message).toContain(`no-such-package is not on the registry 127.0.0.1:${publicRegistry.port} (HTTP 404)`);
    expect(f.evidence.notRetryable).toBeDefined();
  });

  test("the token never shows: not in a refusal's text, nor a 404's of its own registry", async () => {
    const wrong = "npm_Wr0ngT0kenWr0ngT0kenWr0ngT0ken1234";
    const refused = await failureOf(fetchPackuments(["@private/x"], options(config(userNpmrc([`//127.0.0.1:${privateRegistry.port}/:_authToken=${wrong}`])))));
    expect(refused.fault).toBe("unauthorized");
    expect(privateRegistry.seen.at(-1)!.authorization).toBe(`Bearer ${wrong}`);
    expect(everything(refused)).not.toContain(wrong);

    const missing = await failureOf(fetchPackuments(["@private/missing"], options(config(userNpmrc()))));
    expect(missing.fault).toBe("not_found");
    expect(everything(missing)).not.toContain(verdaccio.token);
  });
});

describe("faults", () => {
  const serve = (respond: (req: Request) => Response | Promise<Response>) => {
    const server = localServer(respond);
    servers.push(server);
    return server;
  };
  const npmrcFor = (server: LocalServer, token = "npm_ThisTokenMustNeverShowUpAnywhere000") => config(`registry=${server.url}\n//127.0.0.1:${server.port}/:_authToken=${token}\n`);

  test("malformed JSON, a document that is no packument, another package's document", async () => {
    const server = serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === "/broken") return new Response('{"name": "broken", "versions": {', { headers: { "content-type": "application/json" } });
      if (path === "/shapeless") return Response.json({ name: "shapeless", versions: "1.0.0" });
      return Response.json({ name: "someone-else", versions: {} });
    });
    const broken = await failureOf(fetchPackuments(["broken"], options(npmrcFor(server))));
    expect([broken.failureClass, broken.fault]).toEqual(["environment", "malformed"]);
    expect(broken.message).toBe(`the registry 127.0.0.1:${server.port} sent a document for broken that is not valid JSON`);
    const shapeless = await failureOf(fetchPackuments(["shapeless"], options(npmrcFor(server))));
    expect(shapeless.message).toContain("sent a document for shapeless that is not a package document");
    const other = await failureOf(fetchPackuments(["mine"], options(npmrcFor(server))));
    expect(other.message).toContain('answered the request for mine with the document of "someone-else"');
    expect([broken, shapeless, other].map(everything).join("\n")).not.toContain("ThisTokenMustNeverShowUp");
  });

  test("5xx and rate limits: environment failures naming the package, the registry and when to retry", async () => {
    const server = serve((req) => (new URL(req.url).pathname === "/busy" ? new Response("slow down", { status: 429, headers: { "retry-after": "17" } }) : new Response("down", { status: 503 })));
    const busy = await failureOf(fetchPackuments(["busy"], options(npmrcFor(server))));
    expect([busy.failureClass, busy.fault, busy.message]).toEqual(["environment", "rate_limited", `the registry 127.0.0.1:${server.port} is rate-limiting requests (HTTP 429, retry after 17 s) and did not send the document of busy`]);
    const down = await failureOf(fetchPackuments(["down"], options(npmrcFor(server))));
    expect([down.failureClass, down.fault, down.message]).toEqual(["environment", "server_error", `the registry 127.0.0.1:${server.port} failed to send the document of down (HTTP 503)`]);
  });

  test("a registry that never answers times out, per request", async () => {
    const sockets: Bun.Socket[] = [];
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (s) => void sockets.push(s), data() {} } });
    try {
      const started = Date.now();
      const f = await failureOf(fetchPackuments(["quiet"], options(config(`registry=http://127.0.0.1:${silent.port}/\n`), { timeoutMs: 300 })));
      expect([f.failureClass, f.fault, f.message]).toEqual(["environment", "timeout", `the registry 127.0.0.1:${silent.port} did not answer for quiet within 0.3 s`]);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const s of sockets) s.end();
      silent.stop(true);
    }
    // One that answers, then stops halfway through the document.
    const stalled = serve(() => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"name": "stall", "versions": {')) }), { headers: { "content-type": "application/json" } }));
    const f = await failureOf(fetchPackuments(["stall"], options(npmrcFor(stalled), { timeoutMs: 300 })));
    expect([f.failureClass, f.fault]).toEqual(["environment", "timeout"]);
    expect(f.message).toMatch(/^the registry 127\.0\.0\.1:\d+ did not (answer for stall|finish sending the document of stall) within 0\.3 s$/);
  });

  test("the caller's signal cancels what is in flight", async () => {
    const slow = serve(async () => {
      await Bun.sleep(2_000);
      return Response.json({ name: "slow", versions: {} });
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const f = await failureOf(fetchPackuments(["slow", "slow-too"], options(npmrcFor(slow), { signal: controller.signal })));
    expect([f.failureClass, f.fault]).toEqual(["cancelled", "cancelled"]);
  });

  test("a document larger than maxBytes is refused, declared or not", async () => {
    const big = JSON.stringify({ name: "big", versions: {}, readme: "x".repeat(50_000) });
    const server = serve((req) => (new URL(req.url).pathname === "/big" ? new Response(big, { headers: { "content-type": "application/json" } }) : new Response(new ReadableStream({ start: (c) => (c.enqueue(new TextEncoder().encode(big.replace('"big"', '"chunked"'))), c.close()) }))));
    for (const name of ["big", "chunked"]) {
      const f = await failureOf(fetchPackuments([name], options(npmrcFor(server), { maxBytes: 10_000 })));
      expect([f.failureClass, f.fault, f.packageName]).toEqual(["environment", "too_large", name]);
    }
    expect((await fetchPackuments(["big"], options(npmrcFor(server)))).get("big")!.packument.name).toBe("big");
  });

  test("at most `concurrency` requests at once; the first failure aborts the rest and caches nothing half-written", async () => {
    let inFlight = 0;
    let most = 0;
    const server = serve(async (req) => {
      const name = decodeURIComponent(new URL(req.url).pathname.slice(1));
      inFlight++;
      most = Math.max(most, inFlight);
      await Bun.sleep(40);
      inFlight--;
      if (name === "pkg-13") return new Response("{", { headers: { etag: '"x"' } });
      return Response.json({ name, versions: { "1.0.0": { version: "1.0.0" } }, time: { "1.0.0": "2024-01-01T00:00:00.000Z" } }, { headers: { etag: `"${name}"` } });
    });
    const names = Array.from({ length: 20 }, (_, i) => `pkg-${String(i).padStart(2, "0")}`);
    const ok = await fetchPackuments(names.filter((n) => n !== "pkg-13"), options(npmrcFor(server), { concurrency: 3 }));
    expect(ok.size).toBe(19);
    expect(most).toBe(3);

    const cacheDir = freshCache();
    const f = await failureOf(fetchPackuments(names, options(npmrcFor(server), { concurrency: 4, cacheDir })));
    expect([f.fault, f.packageName]).toEqual(["malformed", "pkg-13"]);
    // What was cached before the failure is whole; the rest was never started or aborted.
    const files = readdirSync(cacheDir);
    expect(files.every((file) => /^[0-9a-f]{64}\.json$/.test(file))).toBe(true);
    expect(files.length).toBeLessThan(19);
  });

  test("a registry only the committed .npmrc names is never fetched from (policy)", async () => {
    const server = serve(() => Response.json({ name: "lib-a", versions: {} }));
    const project = `registry=${server.url}\n@private:registry=${server.url}\n`;
    const f = await failureOf(fetchPackuments(["lib-a"], options(config("//registry.example.test/:_authToken=npm_UserTokenForAnotherRegistry000000\n", project))));
    expect([f.failureClass, f.fault, f.registryHost]).toEqual(["policy_denied", "registry_not_allowed", `127.0.0.1:${server.port}`]);
    expect(server.seen).toEqual([]);
    // A committed .npmrc that is a symlink is not read at all.
    const checkout = join(scratch.path, "linked-npmrc");
    mkdirSync(checkout);
    writeFileSync(join(scratch.path, "elsewhere.npmrc"), "registry=http://127.0.0.1:1/\n");
    Bun.spawnSync(["ln", "-s", join(scratch.path, "elsewhere.npmrc"), join(checkout, ".npmrc")]);
    expect(() => readNpmConfigSources(checkout, {})).toThrow("symbolic link");
  });

  test("https with the CA of the user's npmrc `cafile`; without it, a certificate failure naming the registry", async () => {
    const dir = join(scratch.path, "tls");
    mkdirSync(dir);
    const openssl = (args: string[]) => {
      const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
    };
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=PushPals Test Registry CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
    openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1"]);
    writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
    openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "server.ext"]);
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: readFileSync(join(dir, "server.pem"), "utf8"), key: readFileSync(join(dir, "server.key"), "utf8") },
      fetch: () => Response.json({ name: "lib-a", versions: { "1.0.0": { version: "1.0.0" } } }),
    });
    try {
      const registry = `https://127.0.0.1:${server.port}/`;
      const docs = await fetchPackuments(["lib-a"], options(config(`registry=${registry}\ncafile=${join(dir, "ca.pem")}\n`)));
      expect(docs.get("lib-a")!.registry).toBe(registry);
      const untrusted = await failureOf(fetchPackuments(["lib-a"], options(config(`registry=${registry}\n`))));
      expect([untrusted.failureClass, untrusted.fault]).toEqual(["environment", "network"]);
      expect(untrusted.message).toMatch(new RegExp(`^could not reach the registry 127\\.0\\.0\\.1:${server.port} for lib-a \\([A-Z_]+\\)`));
    } finally {
      server.stop(true);
    }
  });

  test("through the worker's HTTP proxy, as npm would go", async () => {
    const origin = serve(() => Response.json({ name: "lib-a", versions: { "1.0.0": { version: "1.0.0" } } }));
    const proxy = await startCorporateProxy({ "registry.example.test": "127.0.0.1" });
    try {
      const registry = `http://registry.example.test:${origin.port}/`;
      const docs = await fetchPackuments(["lib-a"], options(config(`registry=${registry}\n`, null, { HTTP_PROXY: proxy.url })));
      expect(docs.get("lib-a")!.registry).toBe(registry);
      expect(proxy.seen).toEqual([`GET ${registry}lib-a`]);
    } finally {
      await proxy.stop();
    }
  });
});
