import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { provisionRelease } from "../src/deps/provision.ts";
import { sandboxFetcher } from "../src/deps/provision-fetch.ts";
import { bunPlatformPackage } from "../src/ecosystems/bun/bun-platform.ts";
import { getEcosystem } from "../src/ecosystems/registry.ts";
import { resolveSandboxSpec } from "../src/sandbox/resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../src/sandbox/sandbox-settings.ts";
import type { Job } from "../src/store/jobs/job-rows.ts";
import { Cluster } from "./helpers/cluster.ts";
import { inTurn, lanes } from "./helpers/lanes.ts";
import { tempDir } from "./helpers/temp.ts";
import { publishTarball, startVerdaccio, writeRegistryNpmrc, type LocalRegistry } from "./helpers/verdaccio.ts";

// Issue #13, package managers against their real releases: pnpm, Yarn 1 and Yarn Berry (@yarnpkg/cli-dist) as
// published on npm (exact-pinned devDependencies of PushPals), and Bun (the @oven/bun-<platform> release PushPals
// runs on). Their original tarballs, from npm's cache (so a pin's `+sha512.<hex>` is the real release's), are
// published unchanged to a local Verdaccio; each real package manager writes its own lockfile against it; a
// `checks` job on a worker with no package manager on its PATH gets exactly the pinned release from that
// registry, fetched and verified inside the install sandbox, installs frozen through the egress proxy, and its
// checks run the release. Nothing here reaches the internet: Verdaccio has no uplinks, and every process is
// pointed at it alone.

const ROOT = resolve(import.meta.dir, "..");
const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
const LIB = { name: "lib-real", version: "1.0.0", says: "lib-real 1.0.0, from the registry" };
const scratch = tempDir("pushpals-real-pms-");
let registry: LocalRegistry;

interface Release {
  name: string;
  version: string;
  /** The hex sha512 of the original tarball: what corepack writes after "+sha512." in a pin. */
  sha512: string;
  /** Where it is installed in PushPals' node_modules (its CLI writes the fixtures' lockfiles). */
  dir: string;
}

/**
 * A release PushPals' package-lock.json pins, as npm downloaded it: the tarball in npm's cache, found by its
 * lockfile integrity (cacache's content-v2 layout), copied to `dest` and checked against that integrity.
 */
function realRelease(name: string, dest: string): Release & { tarball: string } {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; integrity: string }> };
  const locked = lock.packages[`node_modules/${name}`];
  if (!locked) throw new Error(`${name} is not in package-lock.json: it is a devDependency of PushPals (npm ci)`);
  const sha512 = Buffer.from(locked.integrity.replace(/^sha512-/, ""), "base64").toString("hex");
  const cached = join(npmCache(), "_cacache", "content-v2", "sha512", sha512.slice(0, 2), sha512.slice(2, 4), sha512.slice(4));
  if (!existsSync(cached)) throw new Error(`${name}@${locked.version}'s tarball is not in npm's cache (${cached}): run npm ci in ${ROOT}`);
  const tarball = join(dest, `${name.replace("/", "-")}-${locked.version}.tgz`);
  copyFileSync(cached, tarball);
  if (createHash("sha512").update(readFileSync(tarball)).digest("hex") !== sha512) throw new Error(`npm's cached ${name}@${locked.version} does not match package-lock.json`);
  return { name, version: locked.version, sha512, tarball, dir: join(ROOT, "node_modules", name) };
}

let npmCacheDir: string | undefined;
function npmCache(): string {
  // The caller's npm config as it is (under `npm test`, npm_config_cache names the cache npm ci filled).
  npmCacheDir ??= Bun.spawnSync(["npm", "config", "get", "cache"], { stdout: "pipe" }).stdout.toString().trim();
  return npmCacheDir;
}

let pnpm: Release;
let yarn1: Release;
let berry: Release;
/** The lockfiles each package manager wrote for a project depending on lib-real. */
const lockfiles: Record<string, string> = {};

beforeAll(async () => {
  // Room for Bun's platform package (about 50 MB, base64 in the publish).
  registry = await startVerdaccio({ maxBodySize: "100mb", packages: [{ name: LIB.name, version: LIB.version, files: { "index.js": `module.exports = ${JSON.stringify(LIB.says)};\n` } }] });
  const tarballs = join(scratch.path, "tarballs");
  mkdirSync(tarballs);
  const releases = [(pnpm = realRelease("pnpm", tarballs)), (yarn1 = realRelease("yarn", tarballs)), (berry = realRelease("@yarnpkg/cli-dist", tarballs))];
  const token = await publisherToken();
  // The tarballs as they are: the registry's integrity is the real release's.
  await Promise.all(releases.map((r) => publishTarball(registry.url, token, readFileSync(r.tarball))));
  for (const r of releases) {
    const packument = (await (await fetch(`${registry.url}${r.name.replace("/", "%2f")}`)).json()) as { versions: Record<string, { dist: { integrity: string } }> };
    expect(packument.versions[r.version]?.dist.integrity).toBe(`sha512-${Buffer.from(r.sha512, "hex").toString("base64")}`);
  }
  [lockfiles.pnpm, lockfiles.yarn1, lockfiles.berry, lockfiles.bun] = await Promise.all([pnpmLockfile(), yarn1Lockfile(), berryLockfile(), bunLockfile()]);
}, 60_000);
afterAll(async () => {
  // A test that timed out never reached the end of its scope: its cluster goes here.
  await Promise.all(started.map((c) => c.stop()));
  await registry?.stop();
  scratch.cleanup();
});

// Each package manager has its own cluster and repository, and its tests mostly wait on them (the release
// fetched and verified, the frozen install, the checks): they run concurrently, two at a time.
const lane = lanes(2, 180_000);
const started: Cluster[] = [];

test("each real lockfile reads, by its ecosystem's reader (what the lockfile review checks), as lib-real@1.0.0 with the registry's hash", async () => {
  const packument = (await (await fetch(`${registry.url}${LIB.name}`)).json()) as { versions: Record<string, { dist: { integrity: string } }> };
  const sri = packument.versions[LIB.version]!.dist.integrity;
  const tarball = `${registry.url}${LIB.name}/-/${LIB.name}-${LIB.version}.tgz`;
  const read = async (pm: "pnpm" | "yarn" | "bun", file: string, text: string) => (await getEcosystem(pm).loadLockfileParser())(text, file).find((p) => p.name === LIB.name);
  expect(await read("pnpm", "pnpm-lock.yaml", lockfiles.pnpm!)).toMatchObject({ version: LIB.version, integrity: sri });
  expect(await read("yarn", "yarn.lock", lockfiles.yarn1!)).toMatchObject({ version: LIB.version, integrity: sri, resolved: expect.stringContaining(tarball) });
  // Berry records its own checksum of the package's zip archive (cache key 10c0), not the tarball's.
  expect(await read("yarn", "yarn.lock", lockfiles.berry!)).toMatchObject({ version: LIB.version, resolved: `npm:${LIB.version}`, integrity: expect.stringMatching(/^10c0\//) });
  expect(await read("bun", "bun.lock", lockfiles.bun!)).toMatchObject({ version: LIB.version, integrity: sri, resolved: tarball });
});

async function publisherToken(): Promise<string> {
  const res = await fetch(`${registry.url}-/user/org.couchdb.user:releases`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "releases", password: "releases-password", type: "user", roles: [], date: new Date().toISOString() }),
  });
  return ((await res.json()) as { token: string }).token;
}

/** package.json of a project depending on lib-real, whose `test` script prints it. */
const manifest = (fields: Record<string, unknown>) =>
  `${JSON.stringify({ name: "app", version: "1.0.0", private: true, ...fields, scripts: { test: `node -p "require('${LIB.name}')"` }, dependencies: { [LIB.name]: LIB.version } }, null, 2)}\n`;

/**
 * Runs a real package manager in a fresh project (`files`) with a HOME of its own whose npm config names the
 * local registry only (Yarn 2+ reads its .yarnrc.yml instead); returns the lockfile it wrote.
 */
async function writeLockfile(name: string, files: Record<string, string>, argv: string[], lockfile: string, env: Record<string, string> = {}): Promise<string> {
  const dir = join(scratch.path, `lock-${name}`);
  const home = join(dir, ".home");
  mkdirSync(home, { recursive: true });
  // Any other host goes to a closed port (writeRegistryNpmrc); Yarn 1 knows no `noproxy`, so it would send the
  // local registry's requests there too: it gets the registry alone (and --registry).
  if (name === "yarn1") writeFileSync(join(home, ".npmrc"), `registry=${registry.url}\n`);
  else writeRegistryNpmrc(join(home, ".npmrc"), registry.url);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  const proc = Bun.spawn(argv, {
    cwd: dir,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: SYSTEM_PATH, HOME: home, NPM_CONFIG_USERCONFIG: join(home, ".npmrc"), ...env },
    timeout: 60_000,
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (exitCode !== 0 || !existsSync(join(dir, lockfile))) throw new Error(`${argv.join(" ")} (exit ${exitCode}) wrote no ${lockfile}:\n${stdout}${stderr}`);
  const text = readFileSync(join(dir, lockfile), "utf8");
  // Made against the local registry and nothing else.
  expect(text).not.toContain("registry.npmjs.org");
  expect(text).not.toContain("registry.yarnpkg.com");
  return text;
}

function pnpmLockfile(): Promise<string> {
  const home = join(scratch.path, "lock-pnpm", ".home");
  return writeLockfile("pnpm", { "package.json": manifest({ packageManager: `pnpm@${pnpm.version}` }) }, ["node", join(pnpm.dir, "bin/pnpm.cjs"), "install", "--lockfile-only", "--ignore-scripts", "--store-dir", join(home, "store")], "pnpm-lock.yaml");
}

function yarn1Lockfile(): Promise<string> {
  const home = join(scratch.path, "lock-yarn1", ".home");
  const argv = ["node", join(yarn1.dir, "bin/yarn.js"), "install", "--ignore-scripts", "--non-interactive", "--no-progress", "--registry", registry.url, "--cache-folder", join(home, "cache")];
  return writeLockfile("yarn1", { "package.json": manifest({ packageManager: `yarn@${yarn1.version}` }) }, argv, "yarn.lock");
}

/** The .yarnrc.yml of the Berry repositories: Yarn 2+ reads no .npmrc, so the registry is named here (as a company's own would be). */
const berryRc = () => `nodeLinker: node-modules\nnpmRegistryServer: "${registry.url.replace(/\/$/, "")}"\nunsafeHttpWhitelist:\n  - "${registry.host}"\nenableTelemetry: false\n`;

function berryLockfile(): Promise<string> {
  const home = join(scratch.path, "lock-berry", ".home");
  // The release was published a moment ago: Yarn 4's age gate would quarantine it when resolving.
  const env = { YARN_GLOBAL_FOLDER: join(home, "berry"), YARN_NPM_MINIMAL_AGE_GATE: "0", YARN_ENABLE_TELEMETRY: "0" };
  return writeLockfile("berry", { "package.json": manifest({}), ".yarnrc.yml": berryRc() }, ["node", join(berry.dir, "bin/yarn.js"), "install", "--mode=update-lockfile"], "yarn.lock", env);
}

function bunLockfile(): Promise<string> {
  const home = join(scratch.path, "lock-bun", ".home");
  // PushPals' own Bun, the real release @oven/bun-* carries.
  return writeLockfile("bun", { "package.json": manifest({ packageManager: `bun@${Bun.version}` }) }, [process.execPath, "install", "--lockfile-only"], "bun.lock", { NPM_CONFIG_REGISTRY: registry.url, BUN_INSTALL_CACHE_DIR: join(home, "cache") });
}

/** A cluster whose worker's npm config names the local registry only, with no pnpm, yarn or bun on its PATH. */
async function cluster(files: Record<string, string>, pm: string): Promise<Cluster> {
  // A HOME of its own (Yarn 1's and Berry's clusters run at the same time).
  const home = mkdtempSync(join(scratch.path, `home-${pm}-`));
  const userNpmrc = join(home, ".npmrc");
  writeFileSync(userNpmrc, `registry=${registry.url}\n`);
  expect(["pnpm", "yarn", "bun"].map((name) => Bun.which(name, { PATH: SYSTEM_PATH }))).toEqual([null, null, null]);
  // The package manager's own version, and the test script run through it (as `pushpals init` configures it).
  const checks = `[[checks.commands]]\nname = "version"\nrun = "echo ${pm} says $(${pm} --version)"\n\n[[checks.commands]]\nname = "test"\nrun = "${pm} ${pm === "bun" ? "run test" : "test"}"\n`;
  const c = await Cluster.create({ configToml: checks, files: { ".gitignore": "node_modules/\n", ...files }, env: { HOME: home, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, PATH: SYSTEM_PATH } });
  started.push(c);
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
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(c.root, rel)), { recursive: true });
    writeFileSync(join(c.root, rel), text);
  }
  for (const args of [["add", "-A"], ["commit", "-qm", message]]) {
    const r = Bun.spawnSync(["git", ...args], { cwd: c.root, stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  }
}

/** A second job on a new commit with the same lockfile: the release provisioned before and the cached install serve it. */
async function again(c: Cluster, says: string): Promise<void> {
  commit(c, { "README.md": `# again ${Date.now()}\n` }, "again");
  const { job, logs } = await checksOnBase(c);
  expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
  expect(logs).not.toContain("fetching ");
  expect(logs).toMatch(/dependencies: .* \(cache hit, /);
  expect(logs).toContain(says);
  expect(logs).toContain(LIB.says);
}

function provisioned(c: Cluster, pm: string, version: string): { package: string; version: string; digests: Record<string, string> } {
  return JSON.parse(readFileSync(join(c.paths.runtimeDir, "package-managers", `${pm}@${version}`, "provision.json"), "utf8"));
}

describe("pnpm, the real release", () => {
  test.concurrent("the pinned release is fetched from the user's registry, matched to the pin's hash, and installs the pnpm lockfile frozen", () => lane(async () => {
    await using c = await cluster({ "package.json": manifest({ packageManager: `pnpm@${pnpm.version}+sha512.${pnpm.sha512}` }), "pnpm-lock.yaml": lockfiles.pnpm! }, "pnpm");
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`fetching pnpm@${pnpm.version} from your npm registry`);
    expect(logs).toContain(`provisioned pnpm ${pnpm.version}`);
    expect(logs).toContain("$ pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(logs).toContain(`pnpm says ${pnpm.version}`);
    expect(logs).toContain(LIB.says);
    expect(provisioned(c, "pnpm", pnpm.version)).toMatchObject({ package: "pnpm", version: pnpm.version, digests: { sha512: pnpm.sha512 } });
    await again(c, `pnpm says ${pnpm.version}`);
  }), lane.queuedTimeout(150_000));
});

describe("Yarn 1, the real release", () => {
  test.concurrent("the pinned release is provisioned from the user's registry and installs yarn.lock v1 frozen", () => lane(async () => {
    await using c = await cluster({ "package.json": manifest({ packageManager: `yarn@${yarn1.version}+sha512.${yarn1.sha512}` }), "yarn.lock": lockfiles.yarn1! }, "yarn");
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`fetching yarn@${yarn1.version} from your npm registry`);
    expect(logs).toContain(`provisioned yarn ${yarn1.version}`);
    expect(logs).toContain("$ yarn install --frozen-lockfile --non-interactive --ignore-scripts");
    expect(logs).toContain(`yarn says ${yarn1.version}`);
    expect(logs).toContain(LIB.says);
    expect(provisioned(c, "yarn", yarn1.version)).toMatchObject({ package: "yarn", digests: { sha512: yarn1.sha512 } });
    await again(c, `yarn says ${yarn1.version}`);
  }), lane.queuedTimeout(150_000));
});

describe("Yarn Berry, the real release", () => {
  // One cluster for the three tests, which take it in turn: each commits on top of what the one before left.
  const onBerry = inTurn(lane, 3, () => cluster({ "package.json": manifest({ packageManager: `yarn@${berry.version}+sha512.${berry.sha512}` }), "yarn.lock": lockfiles.berry!, ".yarnrc.yml": berryRc() }, "yarn"));

  test.concurrent("pinned with packageManager: @yarnpkg/cli-dist is provisioned from the user's registry and installs immutably", onBerry(async (c) => {
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`fetching @yarnpkg/cli-dist@${berry.version} from your npm registry`);
    expect(logs).toContain(`provisioned yarn ${berry.version}`);
    expect(logs).toContain("$ yarn install --immutable --mode=skip-build");
    expect(logs).toContain(`yarn says ${berry.version}`);
    expect(logs).toContain(LIB.says);
    expect(provisioned(c, "yarn", berry.version)).toMatchObject({ package: "@yarnpkg/cli-dist", digests: { sha512: berry.sha512 } });
    await again(c, `yarn says ${berry.version}`);
  }), lane.queuedTimeout(150_000));

  test.concurrent("committed as yarnPath, with no pin: Yarn 1.22 is provisioned as the launcher and hands over to the committed release", onBerry(async (c) => {
    const release = readFileSync(join(berry.dir, "bin/yarn.js"), "utf8");
    const rel = `.yarn/releases/yarn-${berry.version}.cjs`;
    commit(c, { "package.json": manifest({}), ".yarnrc.yml": `yarnPath: ${rel}\n${berryRc()}`, [rel]: release }, "yarnPath");
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`fetching yarn@^1.22.0 from your npm registry`);
    expect(logs).toContain(`yarn is yarn ${yarn1.version}, provisioned in`);
    // The launcher's `yarn --version` is the committed release's: the version probe picks Berry's flags.
    expect(logs).toContain("$ yarn install --immutable --mode=skip-build");
    expect(logs).toContain(`yarn says ${berry.version}`);
    expect(logs).toContain(LIB.says);
  }), lane.queuedTimeout(2 * 150_000));

  test.concurrent("Plug'n'Play: the checks find the packages the install fetched, and a pin with the hash of Yarn's script is served by the same release", onBerry(async (c) => {
    // Older corepack pinned Yarn 2+ by the hash of its script (bin/yarn.js), not of the npm tarball.
    const script = createHash("sha512").update(readFileSync(join(berry.dir, "bin/yarn.js"))).digest("hex");
    commit(c, { "package.json": manifest({ packageManager: `yarn@${berry.version}+sha512.${script}` }), ".yarnrc.yml": berryRc().replace("nodeLinker: node-modules\n", "") }, "pnp");
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).not.toContain("fetching ");
    expect(logs).toContain(`yarn is yarn ${berry.version}, provisioned in`);
    expect(logs).toContain("Yarn Plug'n'Play: nothing to cache");
    // The packages' archives stay in the checkout (.yarn/cache), where .pnp.cjs finds them: not in the install sandbox's HOME.
    expect(logs).toContain(LIB.says);
  }), lane.queuedTimeout(3 * 150_000));
});

describe("Bun, the real release PushPals runs on", () => {
  test.concurrent("installs bun.lock frozen from the user's registry, through the egress proxy, with no bun on the worker's PATH", () => lane(async () => {
    await using c = await cluster({ "package.json": manifest({ packageManager: `bun@${Bun.version}` }), "bun.lock": lockfiles.bun! }, "bun");
    const { job, logs } = await checksOnBase(c);
    expect([job.state, job.failure?.message]).toEqual(["succeeded", undefined]);
    expect(logs).toContain(`bun is Bun ${Bun.version}, the one PushPals runs on`);
    expect(logs).toContain("$ bun install --frozen-lockfile --ignore-scripts");
    expect(logs).toContain(`bun says ${Bun.version}`);
    expect(logs).toContain(LIB.says);
    await again(c, `bun says ${Bun.version}`);
  }), lane.queuedTimeout(150_000));
});

describe("Bun's real platform package", () => {
  // A job never provisions the one Bun release at hand (PushPals runs on it, so it serves every pin of it):
  // this is the step a pin of another Bun gets, on the real @oven/bun-<platform> tarball, called directly.
  test.concurrent("is fetched from the user's registry in the install sandbox, verified, unpacked, and its binary runs through the shim", () => lane(async () => {
    const dir = join(scratch.path, "bun-provision");
    mkdirSync(dir);
    const release = realRelease(bunPlatformPackage(), dir);
    await publishTarball(registry.url, await publisherToken(), readFileSync(release.tarball));
    const userNpmrc = join(dir, "user.npmrc");
    writeFileSync(userNpmrc, `registry=${registry.url}\n`);
    const saved = process.env.NPM_CONFIG_USERCONFIG;
    process.env.NPM_CONFIG_USERCONFIG = userNpmrc;
    try {
      const logs: string[] = [];
      const log = (line: string) => logs.push(line);
      const sandbox = resolveSandboxSpec({ writableDir: dir, network: true, settings: DEFAULT_SANDBOX_SETTINGS });
      const fetch = sandboxFetcher({ sandbox, signal: new AbortController().signal, timeoutMs: 60_000, log: (_stream, line) => log(line) });
      const requirement = { pm: "bun" as const, version: release.version, exact: true, hash: { algorithm: "sha512" as const, hex: release.sha512 }, source: `packageManager "bun@${release.version}" in package.json` };
      const entry = await provisionRelease({ root: join(dir, "package-managers"), pm: "bun", requirement, npmPackage: release.name, version: release.version, fetch, log });
      expect(logs.join("\n")).toContain(`npm pack '${release.name}@${release.version}'`);
      expect(entry.record).toMatchObject({ package: release.name, version: release.version, entry: "bin/bun", digests: { sha512: release.sha512 } });
      const ran = Bun.spawnSync([join(entry.dir, "bin", "bun"), "--version"], { stdout: "pipe", stderr: "pipe", env: { PATH: SYSTEM_PATH } });
      expect(ran.stdout.toString().trim()).toBe(release.version);
    } finally {
      if (saved === undefined) delete process.env.NPM_CONFIG_USERCONFIG;
      else process.env.NPM_CONFIG_USERCONFIG = saved;
    }
  }), lane.queuedTimeout(90_000));
});
