import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "../../test/helpers/cluster.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { writeNpmFixture } from "../../test/helpers/npm-fixture.ts";

// End to end, real processes: a server and a WorkerPal over a repository whose check needs its npm
// dependency. npm never touches the network: the worker's sandbox grants installs none
// (PUSHPALS_SANDBOX_INSTALL_NETWORK=false), and the worker's own HOME (.npmrc) is hidden from it.
const CONFIG = `
[[checks.commands]]
name = "uses-dep"
run = "node -e \\"console.log('tiny-dep says', require('tiny-dep'))\\""
`;

const scratch = tempDir("pushpals-deps-e2e-");
let cluster: Cluster;

interface ChecksResult {
  checks: { name: string; exitCode: number }[];
  dependencies: { packageManager: string; cacheHit: boolean; durationMs: number } | null;
}

beforeAll(async () => {
  const home = join(scratch.path, "home");
  mkdirSync(home);
  writeFileSync(join(home, ".npmrc"), `offline=true\ncache=${join(scratch.path, "npm-cache")}\nupdate-notifier=false\n`);
  const files = writeNpmFixture(join(scratch.path, "fixture"), join(scratch.path, "npm-cache"));
  cluster = await Cluster.create({ configToml: CONFIG, files, env: { HOME: home, PUSHPALS_SANDBOX_INSTALL_NETWORK: "false" } });
  await cluster.startServer();
  await cluster.startWorker("deps-worker");
}, 30_000);

afterAll(async () => {
  await cluster.stop();
  scratch.cleanup();
});

async function runChecks(args: string[] = []) {
  const r = cluster.cli(["enqueue", "checks", "--json", ...args]);
  expect(r.exitCode).toBe(0);
  const id: string = JSON.parse(r.stdout).job.id;
  const job = await cluster.waitForJob(id, (j) => ["succeeded", "failed", "cancelled"].includes(j.state), 60_000);
  return { job, logs: cluster.cli(["logs", id]).stdout };
}

describe("checks jobs prepare dependencies in their worktree", () => {
  test("the first job installs with npm ci and its check can require the dependency", async () => {
    const { job, logs } = await runChecks();
    expect(job.state).toBe("succeeded");
    const result = job.result as ChecksResult;
    expect(result.checks).toEqual([expect.objectContaining({ name: "uses-dep", exitCode: 0 })]);
    expect(result.dependencies).toMatchObject({ packageManager: "npm", cacheHit: false });
    expect(logs).toContain("npm ci --ignore-scripts --no-audit --no-fund");
    expect(logs).toMatch(/^# dependencies: npm ci \(cache miss, \d+\.\d\d s; cached as npm-/m);
    expect(logs).toContain("tiny-dep says tiny");
  }, 60_000);

  test("a second job on the same commit is a cache hit", async () => {
    const { job, logs } = await runChecks();
    expect(job.state).toBe("succeeded");
    const result = job.result as ChecksResult;
    expect(result.dependencies).toMatchObject({ packageManager: "npm", cacheHit: true });
    expect(result.dependencies!.durationMs).toBeLessThan(1_000);
    expect(logs).toMatch(/^# dependencies: npm ci \(cache hit, \d+\.\d\d s\)$/m);
    expect(logs).not.toContain("$ npm ci");
    expect(logs).toContain("tiny-dep says tiny");
  }, 60_000);

  test("a commit without its lockfile fails once, as invalid_input, saying how to fix it", async () => {
    const git = (args: string[]) => Bun.spawnSync(["git", ...args], { cwd: cluster.root, stdout: "pipe", stderr: "pipe" });
    expect(git(["rm", "-q", "package-lock.json"]).exitCode).toBe(0);
    expect(git(["commit", "-q", "-m", "drop the lockfile"]).exitCode).toBe(0);
    const { job } = await runChecks();
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "invalid_input", message: expect.stringContaining("run npm install and commit package-lock.json") });
    expect(job.attempt).toBe(1);
  }, 60_000);
});
