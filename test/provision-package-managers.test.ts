import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { fakePnpmPackage } from "../src/deps/provision-fixture.ts";
import { Cluster } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";
import { runNpm, startVerdaccio, writeRegistryNpmrc, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #13 item 2, end to end: the worker has node, npm and git, but no pnpm and no bun on its PATH.
// A pnpm repository pinned with packageManager gets exactly that pnpm, fetched once from the user's own
// registry (a local Verdaccio holding a stand-in pnpm) inside the install sandbox, verified and provisioned
// under the runtime dir; a Bun repository whose pin PushPals' Bun satisfies installs with that Bun.

const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
const PNPM = "10.99.0";
const scratch = tempDir("pushpals-provision-e2e-");
let registry: LocalRegistry;
/** The hex sha512 of the published tarball: what corepack would write after "+sha512." in the pin. */
let pnpmSha512: string;

beforeAll(async () => {
  registry = await startVerdaccio();
  await publish(fakePnpmPackage(PNPM));
  const packument = (await (await fetch(`${registry.url}pnpm`)).json()) as { versions: Record<string, { dist: { integrity: string } }> };
  pnpmSha512 = Buffer.from(packument.versions[PNPM]!.dist.integrity.replace(/^sha512-/, ""), "base64").toString("hex");
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  scratch.cleanup();
});

/** Publishes a package as given (the helper's own publish writes a package.json without `bin`). */
async function publish(files: Record<string, string>): Promise<void> {
  const res = await fetch(`${registry.url}-/user/org.couchdb.user:provisioner`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "provisioner", password: "provisioner-password", type: "user", roles: [], date: new Date().toISOString() }),
  });
  const { token } = (await res.json()) as { token: string };
  const npmrc = join(scratch.path, "publisher.npmrc");
  writeRegistryNpmrc(npmrc, registry.url, token);
  const dir = join(scratch.path, "publish");
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  await runNpm(dir, ["publish", "--ignore-scripts", "--access", "public"], { userconfig: npmrc, cache: join(scratch.path, "npm-cache") });
}

/** A cluster whose worker's npm config names the local registry and whose PATH has no pnpm or bun. */
async function cluster(configToml: string, files: Record<string, string>): Promise<Cluster> {
  const home = join(scratch.path, `home-${Math.random().toString(36).slice(2)}`);
  mkdirSync(home, { recursive: true });
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registry.url}\n`);
  expect([Bun.which("pnpm", { PATH: SYSTEM_PATH }), Bun.which("bun", { PATH: SYSTEM_PATH })]).toEqual([null, null]);
  const c = await Cluster.create({ configToml, files, env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, PATH: SYSTEM_PATH } });
  await c.startServer();
  await c.startWorker("w1");
  return c;
}

async function checksOnBase(c: Cluster): Promise<{ job: Job; logs: string }> {
  const id: string = JSON.parse(c.cli(["enqueue", "checks", "--json"]).stdout).job.id;
  const job = await c.waitForJob(id, (j) => ["succeeded", "failed"].includes(j.state), 60_000);
  return { job, logs: c.cli(["logs", id]).stdout };
}

function commit(c: Cluster, files: Record<string, string>, message: string): void {
  for (const [rel, text] of Object.entries(files)) writeFileSync(join(c.root, rel), text);
  for (const args of [["add", "-A"], ["commit", "-qm", message]]) {
    const r = Bun.spawnSync(["git", ...args], { cwd: c.root, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  }
}

const pnpmManifest = (packageManager: string) => `${JSON.stringify({ name: "app", version: "1.0.0", private: true, packageManager }, null, 2)}\n`;

describe("a pnpm repository pinned with packageManager", () => {
  let c: Cluster;
  beforeAll(async () => {
    // A pnpm workspace, its checks calling pnpm itself: the provisioned release is on their PATH too.
    const files = {
      "package.json": pnpmManifest(`pnpm@${PNPM}+sha512.${pnpmSha512}`),
      "pnpm-lock.yaml": "lockfileVersion: '9.0'\n",
      "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n",
      "packages/core/package.json": '{ "name": "core", "version": "1.0.0" }\n',
      ".gitignore": "node_modules/\n",
    };
    c = await cluster('[[checks.commands]]\nname = "modules"\nrun = "cat node_modules/.modules.yaml"\n\n[[checks.commands]]\nname = "pnpm"\nrun = "echo using pnpm $(pnpm --version)"\n', files);
  }, 60_000);
  afterAll(() => c.stop());

  test("gets exactly that pnpm, fetched from the user's registry in the install sandbox, checked and kept: the checks pass", async () => {
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`fetching pnpm@${PNPM} from your npm registry`);
    expect(logs).toContain(`npm pack 'pnpm@${PNPM}'`);
    expect(logs).toContain(`provisioned pnpm ${PNPM}`);
    expect(logs).toContain("$ pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(logs).toContain(`fake pnpm ${PNPM}: lockfile is up to date, installed`);
    expect(logs).toContain(`packageManager: pnpm@${PNPM}`);
    expect(logs).toContain(`using pnpm ${PNPM}`);
    const record = JSON.parse(readFileSync(join(c.paths.runtimeDir, "package-managers", `pnpm@${PNPM}`, "provision.json"), "utf8"));
    expect(record).toMatchObject({ pm: "pnpm", package: "pnpm", version: PNPM, digests: { sha512: pnpmSha512 } });

    // Prepared once: the next job runs the same entry without fetching.
    commit(c, { "README.md": "# again\n" }, "again");
    const again = await checksOnBase(c);
    expect(again.job.state).toBe("succeeded");
    expect(again.logs).toContain(`pnpm is pnpm ${PNPM}, provisioned in ${join(c.paths.runtimeDir, "package-managers", `pnpm@${PNPM}`)}`);
    expect(again.logs).not.toContain("fetching pnpm@");
  }, 90_000);

  test("a version the registry does not have fails at once as environment, saying which and how to fix it", async () => {
    commit(c, { "package.json": pnpmManifest("pnpm@10.98.0") }, "missing version");
    const { job } = await checksOnBase(c);
    expect(job.state).toBe("failed");
    expect(job.attempt).toBe(1);
    const failure = job.failure!;
    expect(failure.class).toBe("environment");
    expect(failure.message).toContain("pnpm@10.98.0 does not exist on your npm registry (ETARGET)");
    expect(failure.message).toContain('packageManager "pnpm@10.98.0" in package.json');
    expect(failure.evidence.notRetryable).toBeDefined();
  }, 90_000);

  test("a pin whose hash is not the registry's tarball is refused as policy_denied", async () => {
    commit(c, { "package.json": pnpmManifest(`pnpm@${PNPM}+sha512.${"0".repeat(128)}`) }, "other hash");
    const { job } = await checksOnBase(c);
    expect(job.state).toBe("failed");
    expect(job.failure).toMatchObject({ class: "policy_denied", message: expect.stringContaining(`pnpm@${PNPM} from your npm registry is not the release`) });
  }, 90_000);
});

describe("a Bun repository whose pin PushPals' Bun satisfies", () => {
  let c: Cluster;
  beforeAll(async () => {
    const project = join(scratch.path, "bun-project");
    const files: Record<string, string> = {
      "package.json": `${JSON.stringify({ name: "app", private: true, packageManager: `bun@${Bun.version}`, dependencies: { tiny: "file:./vendor/tiny" } }, null, 2)}\n`,
      "vendor/tiny/package.json": `${JSON.stringify({ name: "tiny", version: "1.0.0", main: "index.js" })}\n`,
      "vendor/tiny/index.js": "module.exports = 'tiny from a bun install';\n",
      ".gitignore": "node_modules/\n",
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(project, rel)), { recursive: true });
      writeFileSync(join(project, rel), text);
    }
    // The lockfile, made the way a developer makes it (PushPals' own Bun, offline: the only dependency is a folder).
    const made = Bun.spawnSync([process.execPath, "install", "--lockfile-only"], { cwd: project, stderr: "pipe", env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(scratch.path, "bun-cache") } });
    if (made.exitCode !== 0) throw new Error(`bun install --lockfile-only: ${made.stderr.toString()}`);
    files["bun.lock"] = readFileSync(join(project, "bun.lock"), "utf8");
    files["tiny.test.ts"] = 'import { expect, test } from "bun:test";\ntest("tiny", () => expect(require("tiny")).toBe("tiny from a bun install"));\n';
    c = await cluster('[[checks.commands]]\nname = "tiny"\nrun = "node -e \\"console.log(require(\'tiny\'))\\""\n\n[[checks.commands]]\nname = "test"\nrun = "bun test"\n', files);
  }, 60_000);
  afterAll(() => c.stop());

  test("installs with PushPals' own Bun, with no bun on the worker's PATH", async () => {
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`bun is Bun ${Bun.version}, the one PushPals runs on`);
    expect(logs).toContain("$ bun install --frozen-lockfile --ignore-scripts");
    expect(logs).toContain("tiny from a bun install");
    // `bun test` as a check: PushPals' Bun is on the checks' PATH as well.
    expect(logs).toMatch(/test: exit 0 /);
    expect(existsSync(join(c.paths.runtimeDir, "package-managers"))).toBe(false);
  }, 90_000);
});
