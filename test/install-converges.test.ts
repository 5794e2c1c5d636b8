import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";
import { runNpm, startVerdaccio, writeRegistryNpmrc, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #13, items 9 and 10, end to end: real npm against a real registry (Verdaccio on loopback, named by
// the worker's own npm config), a server and a WorkerPal. An install that can never succeed fails its job
// once, with the cause and the fix; a repository without a lockfile by design installs and checks green.

const scratch = tempDir("pushpals-converges-e2e-");
let registry: LocalRegistry;
let cluster: Cluster;

const TEST_SCRIPT = "node -e \"console.log('uses', require('lib-ok'), require('lib-two'))\"";

function pkg(dependencies: Record<string, string>): string {
  return `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true, dependencies, scripts: { test: TEST_SCRIPT } }, null, 2)}\n`;
}

beforeAll(async () => {
  registry = await startVerdaccio({
    packages: [
      { name: "lib-ok", version: "1.0.0", files: { "index.js": "module.exports = 'ok';\n" } },
      { name: "lib-two", version: "1.0.0", files: { "index.js": "module.exports = 'two';\n" } },
    ],
  });
  // A lockfile made the way a developer makes one, for lib-ok alone.
  const dir = join(scratch.path, "project");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), pkg({ "lib-ok": "1.0.0" }));
  const publisherNpmrc = join(scratch.path, "publisher.npmrc");
  writeRegistryNpmrc(publisherNpmrc, registry.url);
  await runNpm(dir, ["install", "--package-lock-only", "--ignore-scripts"], { userconfig: publisherNpmrc, cache: join(scratch.path, "npm-cache") });

  const home = join(scratch.path, "home");
  mkdirSync(home);
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registry.url}\n`);
  cluster = await Cluster.create({
    configToml: '[[checks.commands]]\nname = "test"\nrun = "npm test"\n',
    files: { "package.json": readFileSync(join(dir, "package.json"), "utf8"), "package-lock.json": readFileSync(join(dir, "package-lock.json"), "utf8"), ".gitignore": "node_modules/\n" },
    env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc },
  });
  await cluster.startServer();
  await cluster.startWorker("w1");
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  await registry?.stop();
  scratch.cleanup();
});

function commit(message: string, files: Record<string, string | null>): void {
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) rmSync(join(cluster.root, rel));
    else writeFileSync(join(cluster.root, rel), text);
  }
  for (const args of [["add", "-A"], ["commit", "-q", "-m", message]]) {
    const r = Bun.spawnSync(["git", ...args], { cwd: cluster.root, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  }
}

async function checks() {
  const r = cluster.cli(["enqueue", "checks", "--json"]);
  expect(r.exitCode).toBe(0);
  const id: string = JSON.parse(r.stdout).job.id;
  const job = await cluster.waitForJob(id, (j) => ["succeeded", "failed", "cancelled"].includes(j.state), 60_000);
  const { transitions } = await cluster.job(id);
  return { job, transitions, logs: cluster.cli(["logs", id]).stdout, detail: cluster.cli(["job", id]).stdout };
}

describe("dependency installs that converge", () => {
  test("a lockfile out of sync with package.json fails once, not retried, with the cause and the fix", async () => {
    commit("add lib-two without relocking", { "package.json": pkg({ "lib-ok": "1.0.0", "lib-two": "1.0.0" }) });
    const { job, transitions, detail } = await checks();
    expect(job.state).toBe("failed");
    expect(job.attempt).toBe(1);
    expect(transitions.map((t) => t.to)).not.toContain("retry_wait");
    expect(job.failure).toMatchObject({
      class: "environment",
      message: expect.stringContaining("package-lock.json is out of sync with package.json; run npm install and commit package-lock.json"),
      evidence: { notRetryable: "package-lock.json is out of sync with package.json" },
    });
    expect(detail).toContain("(not retried: package-lock.json is out of sync with package.json)");
  }, 90_000);

  test("a repository without a lockfile by design (package-lock=false) installs from the registry and checks green", async () => {
    commit("no lockfile, by design", { "package-lock.json": null, ".npmrc": "package-lock=false\n", "package.json": pkg({ "lib-ok": "^1.0.0", "lib-two": "^1.0.0" }) });
    const { job, logs } = await checks();
    expect(job.state).toBe("succeeded");
    const result = job.result as { checks: { name: string; exitCode: number }[]; dependencies: Record<string, unknown> };
    expect(result.checks).toEqual([expect.objectContaining({ name: "test", exitCode: 0 })]);
    expect(result.dependencies).toMatchObject({ packageManager: "npm", cacheHit: false, unpinned: "package-lock=false in .npmrc" });
    expect(logs).toContain("npm install --no-package-lock --ignore-scripts");
    expect(logs).toContain("the versions are resolved at install time");
    expect(logs).toContain("uses ok two");
    const cacheDir = cluster.paths.depsCacheDir;
    expect(existsSync(cacheDir) ? readdirSync(cacheDir).filter((name) => !name.startsWith(".")) : []).toEqual([]);
  }, 90_000);
});
