import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";
import { consumerProject, startVerdaccio, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #11, hole 4, end to end: real npm installing from a real registry (Verdaccio on the host's
// loopback, named by the user's own npm config) through the egress proxy, in the sandbox's own network
// namespace. The control plane, other loopback ports and unlisted hosts stay out of reach, and a committed
// .npmrc cannot make the package manager run a program.

const scratch = tempDir("pushpals-egress-e2e-");
let registry: LocalRegistry;
let project: Record<string, string>;

beforeAll(async () => {
  registry = await startVerdaccio({ packages: [{ name: "lib-ok", version: "1.0.0", files: { "index.js": "module.exports = 'ok from the registry';\n" } }] });
  // The lockfile, made the way a developer makes it: npm install against the registry.
  project = await consumerProject(scratch.path, registry.url);
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  scratch.cleanup();
});

/** A cluster whose worker's own npm config names the local registry (HOME is an empty temp home). */
async function cluster(configToml: string, files: Record<string, string> = {}): Promise<{ c: Cluster; apiPort: number }> {
  const home = join(scratch.path, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { recursive: true });
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registry.url}\n`);
  const c = await Cluster.create({ configToml, files: { ...project, "src/a.txt": "one\n", ...files }, env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc } });
  const server = await c.startServer();
  const apiPort = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(server.output())![1]);
  await c.startWorker("w1");
  await c.startAgents();
  return { c, apiPort };
}

function git(root: string, args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

function run(c: Cluster, command: string): { job: Job; pr: PullRequest | null; logs: string } {
  const r = c.cli(["run", "--json", "--scope", "src/**", "--title", "egress", "--", command]);
  const out = JSON.parse(r.stdout) as { job: Job; pr: PullRequest | null };
  return { ...out, logs: c.cli(["logs", out.job.id]).stdout };
}

async function checksOnBase(c: Cluster): Promise<{ job: Job; logs: string }> {
  const id: string = JSON.parse(c.cli(["enqueue", "checks", "--json"]).stdout).job.id;
  const job = await c.waitForJob(id, (j) => ["succeeded", "failed"].includes(j.state), 60_000);
  return { job, logs: c.cli(["logs", id]).stdout };
}

describe("a real npm project installs from the user's registry through the egress proxy", () => {
  let c: Cluster;
  beforeAll(async () => void ({ c } = await cluster('[[checks.commands]]\nname = "test"\nrun = "npm test"\n')), 60_000);
  afterAll(() => c.stop());

  test("install, check and run: the dependency comes from the registry, the PR's checks pass", async () => {
    const { job, pr, logs } = run(c, "echo changed >> src/a.txt");
    expect(job.state).toBe("succeeded");
    expect(logs).toContain("npm ci --ignore-scripts");
    expect(logs).toContain("test says ok from the registry");
    expect(pr!.checks.state).toBe("passed");
  }, 90_000);
});

describe("an install reaches the registry and nothing else", () => {
  let c: Cluster;
  let apiPort: number;
  const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("a local service") });
  afterAll(() => other.stop(true));

  beforeAll(async () => {
    ({ c, apiPort } = await cluster('[install]\nallow_scripts = true\n\n[[checks.commands]]\nname = "test"\nrun = "npm test"\n'));
  }, 60_000);
  afterAll(() => c.stop());

  test("install scripts cannot reach the control plane (its TCP listener or its socket), another loopback port or an unlisted host", async () => {
    // The repository's own postinstall, run by an install with allow_scripts: it prints what it could reach.
    const probe = `
const net = require("net"), http = require("http"), fs = require("fs");
const results = {};
const done = () => { if (Object.keys(results).length === 5) console.log("probe " + JSON.stringify(results)); };
const set = (k) => (v) => { if (!(k in results)) { results[k] = v; done(); } };
const direct = (k, port) => net.connect(port, "127.0.0.1").on("connect", () => set(k)("reached")).on("error", () => set(k)("unreachable"));
const viaProxy = (k, target) => http.get({ host: "127.0.0.1", port: 3128, path: "http://" + target + "/api/health", headers: { host: target } }, (res) => set(k)(res.statusCode === 200 ? "reached" : "refused " + res.statusCode)).on("error", () => set(k)("unreachable"));
direct("api-direct", ${apiPort});
viaProxy("api-proxy", "127.0.0.1:${apiPort}");
viaProxy("other-proxy", "127.0.0.1:${other.port}");
viaProxy("unlisted", "example.com:80");
net.connect(${JSON.stringify(c.paths.socket)}).on("connect", () => set("api-socket")("reached")).on("error", (e) => set("api-socket")(e.code));
`;
    writeFileSync(join(c.root, "probe.cjs"), probe);
    const pkg = JSON.parse(project["package.json"]!);
    pkg.scripts.postinstall = "node probe.cjs";
    writeFileSync(join(c.root, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    git(c.root, ["add", "-A"]);
    git(c.root, ["commit", "-qm", "probe"]);

    const { job, logs } = await checksOnBase(c);
    expect(job.state).toBe("succeeded");
    const line = logs.split("\n").find((l) => l.includes("probe {"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!.slice(line!.indexOf("{")))).toEqual({
      "api-direct": "unreachable",
      "api-proxy": "refused 403",
      "other-proxy": "refused 403",
      unlisted: "refused 403",
      "api-socket": "ENOENT",
    });
    expect(logs).toContain(`refused a connection to 127.0.0.1:${apiPort}`);
    expect(logs).toContain("test says ok from the registry");
  }, 90_000);
});

describe("what a commit says about installing is data", () => {
  let c: Cluster;
  beforeAll(async () => void ({ c } = await cluster('[[checks.commands]]\nname = "test"\nrun = "npm test"\n')), 60_000);
  afterAll(() => c.stop());

  test("a committed .npmrc naming a program for git dependencies refuses the install; the program never runs", async () => {
    // The program is part of the commit: it would run inside a scripts-off install, and what it wrote
    // under node_modules would be stored in the dependency cache for every later job with this lockfile.
    mkdirSync(join(c.root, "tools"), { recursive: true });
    writeFileSync(join(c.root, "tools", "git.sh"), `#!/bin/sh\necho "module.exports = 'EVIL'" > "$INIT_CWD/poison.js"\nexec git "$@"\n`, { mode: 0o755 });
    writeFileSync(join(c.root, ".npmrc"), "git=./tools/git.sh\n");
    const pkg = JSON.parse(project["package.json"]!);
    pkg.dependencies["lib-git"] = "git+https://git.example.invalid/lib-git.git";
    writeFileSync(join(c.root, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
    git(c.root, ["add", "-A"]);
    git(c.root, ["commit", "-qm", "evil npmrc"]);

    const { job, logs } = await checksOnBase(c);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining("`git`") });
    expect(logs).not.toContain("$ npm ci");
    expect(existsSync(c.paths.depsCacheDir) ? readdirSync(c.paths.depsCacheDir).filter((k) => !k.startsWith(".")) : []).toEqual([]);
  }, 90_000);

  test("a lockfile that downloads from a host other than the registry fails the install as policy_denied, naming the host", async () => {
    rmSync(join(c.root, ".npmrc"));
    writeFileSync(join(c.root, "package.json"), project["package.json"]!);
    const lock = project["package-lock.json"]!.replaceAll(registry.url, "http://127.0.0.1:9/");
    writeFileSync(join(c.root, "package-lock.json"), lock);
    git(c.root, ["add", "-A"]);
    git(c.root, ["commit", "-qm", "redirected lockfile"]);

    const { job } = await checksOnBase(c);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining("127.0.0.1:9") });
  }, 90_000);
});
