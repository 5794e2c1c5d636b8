import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { lookup } from "node:dns/promises";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { Cluster, PUSHPALS_BIN } from "./helpers/cluster.ts";
import { startCorporateProxy, type CorporateProxy } from "./helpers/corporate-proxy.ts";
import { tempDir } from "./helpers/temp.ts";
import { consumerProject, startVerdaccio, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #13 item 3, end to end: a registry this machine can only reach through the worker's HTTP proxy.
// Its name does not resolve here; the proxy (HTTPS_PROXY / HTTP_PROXY, on loopback like cntlm or px) is
// the only thing that maps it to the local Verdaccio. A real job's install, in the sandbox, through the
// egress proxy, gets its dependency only that way.

const REGISTRY_HOST = "registry.pushpals.test";
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];

const scratch = tempDir("pushpals-upstream-e2e-");
let registry: LocalRegistry;
let proxy: CorporateProxy;
let project: Record<string, string>;
const namedUrl = () => `http://${REGISTRY_HOST}:${registry.port}/`;

beforeAll(async () => {
  // The test proves nothing if the name resolves on this machine: the install could then go direct.
  const resolved = await lookup(REGISTRY_HOST).then((a) => a.address, () => null);
  if (resolved !== null) throw new Error(`${REGISTRY_HOST} resolves to ${resolved} on this machine; the test needs a name only the proxy knows`);
  registry = await startVerdaccio({ packages: [{ name: "lib-ok", version: "1.0.0", files: { "index.js": "module.exports = 'ok via the corporate proxy';\n" } }] });
  proxy = await startCorporateProxy({ [REGISTRY_HOST]: registry.host });
  // The proxy itself works (a plain http request in absolute form): a failed install is PushPals' own.
  const ping = await fetch(`${namedUrl()}-/ping`, { proxy: proxy.url });
  if (!ping.ok) throw new Error(`${namedUrl()}-/ping through the test proxy answered ${ping.status}`);
  const made = await consumerProject(scratch.path, registry.url);
  // As the developer behind that proxy has it: the lockfile resolves to the registry's name.
  project = { ...made, "package-lock.json": made["package-lock.json"]!.replaceAll(registry.url, namedUrl()) };
}, 60_000);
afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  scratch.cleanup();
});

/** A cluster whose worker's npm config names the registry by its name, with `proxyEnv` (every other proxy variable unset). */
async function cluster(proxyEnv: Record<string, string>): Promise<Cluster> {
  const home = join(scratch.path, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { recursive: true });
  const userNpmrc = join(home, ".npmrc");
  // The user's own retry settings reach the install: an unreachable registry fails in seconds, not after npm's default 70 s of retries.
  writeFileSync(userNpmrc, `registry=${namedUrl()}\nfetch-retries=0\n`);
  const unset = Object.fromEntries(PROXY_VARS.map((k) => [k, ""]));
  // One attempt: the failing case should fail once, not three times.
  const configToml = '[jobs]\nmax_attempts = 1\n\n[[checks.commands]]\nname = "test"\nrun = "npm test"\n';
  const env = { ...unset, ...proxyEnv, HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc };
  const c = await Cluster.create({ configToml, files: project, env });
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  return c;
}

async function checksOnBase(c: Cluster, timeoutMs: number): Promise<{ job: Job; logs: string }> {
  const id: string = JSON.parse(c.cli(["enqueue", "checks", "--json"]).stdout).job.id;
  const job = await c.waitForJob(id, (j) => ["succeeded", "failed"].includes(j.state), timeoutMs);
  return { job, logs: c.cli(["logs", id]).stdout };
}

interface Finding {
  code: string;
  level: string;
  message: string;
}

/** PP014, from `pushpals doctor --registry`, run without blocking: the proxy answers from this process. */
async function registryFinding(c: Cluster): Promise<Finding | undefined> {
  const proc = Bun.spawn([PUSHPALS_BIN, "doctor", "--registry", "--json"], { cwd: c.root, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...c.env } });
  const { findings } = JSON.parse(await new Response(proc.stdout).text()) as { findings: Finding[] };
  await proc.exited;
  return findings.find((f) => f.code === "PP014");
}

describe("with the worker's proxy in HTTPS_PROXY / HTTP_PROXY", () => {
  let c: Cluster;
  beforeAll(async () => {
    // NO_PROXY as a real setup has it, for the control plane on loopback; the registry is not in it.
    c = await cluster({ HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
  }, 60_000);
  afterAll(() => c.stop());

  test("the install gets its dependency through the upstream proxy, which saw the registry's name", async () => {
    const before = proxy.seen.length;
    const { job, logs } = await checksOnBase(c, 60_000);
    expect(job.state).toBe("succeeded");
    expect(logs).toContain("npm ci --ignore-scripts");
    expect(logs).toContain("test says ok via the corporate proxy");
    const seen = proxy.seen.slice(before);
    // A plain http registry is tunnelled too: the egress proxy asks for CONNECT, never resolving the name itself.
    expect(seen).toContain(`CONNECT ${REGISTRY_HOST}:${registry.port}`);
    expect(seen.every((line) => line === `CONNECT ${REGISTRY_HOST}:${registry.port}`)).toBe(true);
  }, 90_000);

  test("doctor --registry asks the registry the same way, through the proxy", async () => {
    expect(await registryFinding(c)).toMatchObject({ level: "ok", message: expect.stringContaining(namedUrl()) });
  }, 60_000);
});

describe("without a proxy in the worker's environment", () => {
  let c: Cluster;
  beforeAll(async () => void (c = await cluster({})), 60_000);
  afterAll(() => c.stop());

  test("the same install fails as an environment problem naming the unresolvable registry, and the proxy is never asked", async () => {
    const before = proxy.seen.length;
    // npm retries a 502 twice (10 s, then 60 s apart) before it gives up; a hang would run into the wait's limit.
    const { job, logs } = await checksOnBase(c, 150_000);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "environment", message: expect.stringContaining("a network error reaching the registry") });
    expect(logs).toContain(`could not reach ${REGISTRY_HOST}:${registry.port}`);
    expect(logs).toContain("could not be resolved");
    expect(proxy.seen.slice(before)).toEqual([]);
  }, 180_000);

  test("doctor --registry says so at once (one try), before any job fails on it", async () => {
    const started = Date.now();
    expect(await registryFinding(c)).toMatchObject({ level: "warn", message: expect.stringContaining(`${namedUrl()} did not answer`) });
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
