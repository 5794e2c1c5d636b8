import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JobFailure } from "../src/core/job-failure.ts";
import { prepareDependencies } from "../src/deps/prepare.ts";
import { resolveSandboxSpec } from "../src/sandbox/resolve-spec.ts";
import type { ReadOnlyMount } from "../src/sandbox/sandbox-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../src/sandbox/sandbox-settings.ts";
import { tempDir } from "./helpers/temp.ts";
import { runNpm, startVerdaccio, writeRegistryNpmrc, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #13 item 3, end to end: the user's registry is behind TLS with a certificate of the worker's own
// CA (as behind a TLS-inspecting proxy). With NODE_EXTRA_CA_CERTS naming that CA for the worker, a real npm
// install in the sandbox, through the egress proxy, trusts it; without it, the install fails for good.

const scratch = tempDir("pushpals-trust-e2e-");
let registry: LocalRegistry;
let front: ReturnType<typeof Bun.serve>;
let caFile: string;
let lockfile: string;
let pkg: string;
let n = 0;
const saved = { NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS, NPM_CONFIG_USERCONFIG: process.env.NPM_CONFIG_USERCONFIG, npm_config_userconfig: process.env.npm_config_userconfig };

function openssl(args: string[]): void {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: scratch.path, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr.toString()}`);
}

/** A CA, and a certificate it signed for localhost / 127.0.0.1. */
function makeCertificates(): { cert: string; key: string } {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=PushPals Test Inspecting CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"]);
  openssl(["req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"]);
  writeFileSync(join(scratch.path, "server.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "server.ext"]);
  return { cert: readFileSync(join(scratch.path, "server.pem"), "utf8"), key: readFileSync(join(scratch.path, "server.key"), "utf8") };
}

/** TLS in front of Verdaccio's http URL; registry JSON that names the http URL names this one instead. */
function startTlsFront(tls: { cert: string; key: string }): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    async fetch(req) {
      const url = new URL(req.url);
      const headers = new Headers(req.headers);
      headers.delete("host");
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const res = await fetch(new URL(url.pathname + url.search, registry.url), { method: req.method, headers, body });
      const out = new Headers(res.headers);
      out.delete("content-encoding");
      out.delete("content-length");
      if (!(res.headers.get("content-type") ?? "").includes("json")) return new Response(await res.arrayBuffer(), { status: res.status, headers: out });
      return new Response((await res.text()).replaceAll(registry.url, frontUrl()), { status: res.status, headers: out });
    },
  });
}

const frontUrl = () => `https://localhost:${front.port}/`;

beforeAll(async () => {
  const tls = makeCertificates();
  caFile = join(scratch.path, "ca.pem");
  registry = await startVerdaccio({ packages: [{ name: "lib-ok", version: "1.0.0", files: { "index.js": "module.exports = 'ok over tls';\n" } }] });
  front = startTlsFront(tls);
  const dir = join(scratch.path, "project");
  mkdirSync(dir, { recursive: true });
  pkg = `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies: { "lib-ok": "1.0.0" } }, null, 2)}\n`;
  writeFileSync(join(dir, "package.json"), pkg);
  const publisherNpmrc = join(scratch.path, "publisher.npmrc");
  writeRegistryNpmrc(publisherNpmrc, registry.url);
  await runNpm(dir, ["install", "--package-lock-only", "--ignore-scripts"], { userconfig: publisherNpmrc, cache: join(scratch.path, "npm-cache") });
  // As the developer behind the TLS front would have it: the lockfile resolves to the https registry.
  lockfile = readFileSync(join(dir, "package-lock.json"), "utf8").replaceAll(registry.url, frontUrl());
  const userNpmrc = join(scratch.path, "user.npmrc");
  writeFileSync(userNpmrc, `registry=${frontUrl()}\n`);
  Object.assign(process.env, { NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc });
}, 60_000);

afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  front?.stop(true);
  await registry?.stop();
  scratch.cleanup();
});

async function install(): Promise<{ logs: string[]; mounts: ReadOnlyMount[] }> {
  const dir = join(scratch.path, `wt${++n}`);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), pkg);
  writeFileSync(join(dir, "package-lock.json"), lockfile);
  const logs: string[] = [];
  const result = await prepareDependencies({
    dir,
    cacheDir: join(scratch.path, `cache${n}`),
    signal: new AbortController().signal,
    log: (stream, line) => logs.push(`${stream}: ${line}`),
    // One attempt per fetch: npm's own retries would only slow the failing case down. A global npmrc
    // (this machine's names a `cafile`, which npm prefers to NODE_EXTRA_CA_CERTS) is left out.
    env: { npm_config_fetch_retries: "0", npm_config_globalconfig: "/dev/null" },
    sandbox: resolveSandboxSpec({ writableDir: dir, network: true, settings: DEFAULT_SANDBOX_SETTINGS }),
  });
  return { logs, mounts: result?.mounts ?? [] };
}

describe("a registry behind the worker's own CA", () => {
  test("with NODE_EXTRA_CA_CERTS for the worker, the sandboxed install trusts it", async () => {
    process.env.NODE_EXTRA_CA_CERTS = caFile;
    const { logs, mounts } = await install();
    expect(logs.join("\n")).toContain("npm ci");
    // The installed tree was moved into the dependency cache, and the checkout mounts it from there.
    expect(mounts.map((m) => m.target)).toEqual(["node_modules"]);
    expect(readFileSync(join(mounts[0]!.source, "lib-ok", "index.js"), "utf8")).toContain("ok over tls");
  }, 30_000);

  test("without it, the same install fails, not retryable, with the TLS cause", async () => {
    delete process.env.NODE_EXTRA_CA_CERTS;
    const err = await install().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(JobFailure);
    const failure = err as JobFailure;
    expect(failure.failureClass).toBe("environment");
    expect(failure.message).toContain(`the TLS certificate of ${frontUrl()} is not trusted here`);
    expect(failure.message).toContain("set NODE_EXTRA_CA_CERTS (or npm's cafile) for the worker");
    expect(failure.evidence.notRetryable).toBeDefined();
  }, 30_000);
});
