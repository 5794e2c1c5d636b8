import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { routes } from "../src/api/routes.ts";
import type { WorkItem } from "../src/planning/work-item.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";
import { publishVersions, setPublishTimes, startAccessVerdaccio, type AccessRegistry } from "./helpers/registry-fixture.ts";
import { lanes } from "./helpers/lanes.ts";
import { tempDir } from "./helpers/temp.ts";
import { publishTarball } from "./helpers/verdaccio.ts";

/**
 * Issue #16 end to end with each package manager but npm (test/dependency-steward.test.ts is npm's): a pnpm
 * workspace, a Yarn 1 workspace, a Bun workspace and a Yarn Berry project, each locked by its own real
 * release against one local Verdaccio before lib-a's newer versions existed. The real processes run with the
 * scan on; the steward's non-major PR pins the planned version in the manifests, regenerates the lockfile
 * with the repository's pinned package manager (provisioned from that registry: the original tarballs of
 * PushPals' own pinned pnpm, yarn and @yarnpkg/cli-dist; Bun is PushPals' own binary), writes the final
 * ranges and regenerates it again; its checks install frozen and require lib-a 1.1.0 on the PR head.
 * lib-a 1.2.0 is a day old, under the 3-day minimum release age: the lockfile must not take it when the
 * final range allows it (Yarn did, until the pinned entry carried the final selector). Last,
 * `lockfile_maintenance` turns an update inside the range into a lockfile-only PR.
 */

const ROOT = resolve(import.meta.dir, "..");
const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
const scratch = tempDir("pushpals-steward-pms-");
let registry: AccessRegistry;

interface Release {
  name: string;
  version: string;
  /** Where PushPals' own copy is installed: its CLI writes the fixtures' lockfiles. */
  dir: string;
}

/** PushPals' pinned release of `name`, from npm's cache (the original tarball, checked against package-lock.json), published as it is. */
async function publishRelease(name: string): Promise<Release> {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string; integrity: string }> };
  const locked = lock.packages[`node_modules/${name}`];
  if (!locked) throw new Error(`${name} is not in package-lock.json: it is a devDependency of PushPals (npm ci)`);
  const hex = Buffer.from(locked.integrity.replace(/^sha512-/, ""), "base64").toString("hex");
  const cached = join(npmCache(), "_cacache", "content-v2", "sha512", hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
  if (!existsSync(cached)) throw new Error(`${name}@${locked.version}'s tarball is not in npm's cache (${cached}): run npm ci in ${ROOT}`);
  const tarball = join(scratch.path, `${name.replace("/", "-")}-${locked.version}.tgz`);
  copyFileSync(cached, tarball);
  const bytes = readFileSync(tarball);
  if (createHash("sha512").update(bytes).digest("hex") !== hex) throw new Error(`npm's cached ${name}@${locked.version} does not match package-lock.json`);
  await publishTarball(registry.url, registry.token, bytes);
  return { name, version: locked.version, dir: join(ROOT, "node_modules", name) };
}

let npmCacheDir: string | undefined;
function npmCache(): string {
  // The caller's npm config as it is (under `npm test`, npm_config_cache names the cache npm ci filled); asked once.
  npmCacheDir ??= Bun.spawnSync(["npm", "config", "get", "cache"], { stdout: "pipe" }).stdout.toString().trim();
  return npmCacheDir;
}

/** The check every repository configures: each named folder requires lib-a (green on main too), and says which (the tarball's index.js says its version). */
const CHECK_JS = `const { createRequire } = require("node:module");
const { resolve } = require("node:path");
for (const dir of process.argv.slice(2)) console.log(\`\${dir} requires \${createRequire(resolve(dir, "package.json"))("lib-a")}\`);
`;
const config = (dirs: string[], extra = "") =>
  ['[repo]', 'base_branch = "main"', "", extra, "[[checks.commands]]", 'name = "uses-lib-a"', `run = ${JSON.stringify(`node check.js ${dirs.join(" ")}`)}`, ""].join("\n");

interface Case {
  /** The files committed besides the lockfile and check.js (.gitignore: node_modules/ unless given). */
  files: Record<string, string>;
  lockfile: string;
  /** The real package manager's command writing the lockfile in `dir`, with `home` its own. */
  lock: (dir: string, home: string) => { argv: string[]; env?: Record<string, string> };
  /** The manifests the non-major PR changes (every one declaring lib-a ^1.0.0). */
  manifests: string[];
  /** Folders the check requires lib-a from. */
  checkDirs: string[];
  /** What the lockfile says when it locks `name` at `version`. */
  locks: (name: string, version: string) => string;
  /** Where the package manager came from, as the job's log says it. */
  provided: string;
  /** The lockfile update the job runs (pinned ranges, then final ones), and the frozen install the checks run on the PR head. */
  update: string;
  frozen: string;
  config?: string;
}

let pnpm: Release;
let yarn1: Release;
let berry: Release;
const lockfiles: Record<string, string> = {};

const berryRc = () => `nodeLinker: node-modules\nnpmRegistryServer: "${registry.url.replace(/\/$/, "")}"\nunsafeHttpWhitelist:\n  - "127.0.0.1"\nenableTelemetry: false\n`;

/** Manifests written with their own quirks (tabs, another key order, no final newline, CRLF, one line): kept byte for byte outside the changed value. */
const CASES: Record<string, () => Case> = {
  pnpm: () => ({
    files: {
      "package.json": `{\n  "name": "mono",\n  "private": true,\n  "packageManager": "pnpm@${pnpm.version}",\n  "dependencies": {\n    "lib-a": "^1.0.0"\n  }\n}\n`,
      "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n",
      "packages/app/package.json": '{\n\t"version": "1.0.0",\n\t"name": "app",\n\t"dependencies": {\n\t\t"lib-a": "^1.0.0"\n\t}\n}',
      "packages/core/package.json": '{"name":"core","version":"1.0.0","dependencies":{"app":"workspace:*","lib-a":"^1.0.0"}}\n',
    },
    lockfile: "pnpm-lock.yaml",
    lock: (_dir, home) => ({ argv: ["node", join(pnpm.dir, "bin/pnpm.cjs"), "install", "--lockfile-only", "--ignore-scripts", "--store-dir", join(home, "store")] }),
    manifests: ["package.json", "packages/app/package.json", "packages/core/package.json"],
    checkDirs: [".", "packages/app", "packages/core"],
    locks: (name, version) => `\n  ${name}@${version}:\n`,
    provided: `pnpm is pnpm ${pnpm.version}, provisioned in`,
    update: "$ pnpm install --lockfile-only --no-frozen-lockfile --ignore-scripts --ignore-pnpmfile",
    frozen: "$ pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile",
  }),
  yarn1: () => ({
    files: {
      "package.json": `{\n    "private": true,\n    "name": "mono",\n    "packageManager": "yarn@${yarn1.version}",\n    "workspaces": ["packages/*"],\n    "dependencies": {\n        "lib-a": "^1.0.0"\n    }\n}\n`,
      "packages/app/package.json": '{\r\n  "name": "app",\r\n  "version": "1.0.0",\r\n  "dependencies": {\r\n    "lib-a": "^1.0.0"\r\n  }\r\n}\r\n',
    },
    lockfile: "yarn.lock",
    lock: (_dir, home) => ({ argv: ["node", join(yarn1.dir, "bin/yarn.js"), "install", "--ignore-scripts", "--non-interactive", "--no-progress", "--registry", registry.url, "--cache-folder", join(home, "cache")] }),
    manifests: ["package.json", "packages/app/package.json"],
    checkDirs: [".", "packages/app"],
    locks: (name, version) => `resolved "${registry.url}${name}/-/${name}-${version}.tgz#`,
    provided: `yarn is yarn ${yarn1.version}, provisioned in`,
    update: "$ yarn install --non-interactive --ignore-scripts --no-frozen-lockfile",
    frozen: "$ yarn install --frozen-lockfile --non-interactive --ignore-scripts",
  }),
  bun: () => ({
    files: {
      "package.json": `{\n  "dependencies": {\n    "lib-a": "^1.0.0"\n  },\n  "name": "mono",\n  "workspaces": ["packages/*"],\n  "packageManager": "bun@${Bun.version}",\n  "private": true\n}`,
      "packages/app/package.json": '{\n   "name": "app",\n   "dependencies": { "lib-a": "^1.0.0" }\n}\n',
    },
    lockfile: "bun.lock",
    lock: (_dir, home) => ({ argv: [process.execPath, "install", "--lockfile-only"], env: { NPM_CONFIG_REGISTRY: registry.url, BUN_INSTALL_CACHE_DIR: join(home, "cache") } }),
    manifests: ["package.json", "packages/app/package.json"],
    checkDirs: [".", "packages/app"],
    locks: (name, version) => `"${name}": ["${name}@${version}"`,
    provided: `bun is Bun ${Bun.version}, the one PushPals runs on`,
    update: "$ bun install --lockfile-only --ignore-scripts",
    frozen: "$ bun install --frozen-lockfile --ignore-scripts",
  }),
  berry: () => ({
    files: {
      "package.json": `{\n  "name": "app",\n  "private": true,\n  "packageManager": "yarn@${berry.version}",\n  "dependencies": {\n    "lib-a": "^1.0.0"\n  }\n}\n`,
      ".yarnrc.yml": berryRc(),
      // What `yarn init` writes (no zero-installs): the lockfile update leaves .yarn/cache and .yarn/install-state.gz in the
      // checkout, outside the steward's scope (manifests and lockfile), so a repository that commits them cannot be updated.
      ".gitignore": "node_modules/\n.yarn/*\n!.yarn/patches\n!.yarn/plugins\n!.yarn/releases\n!.yarn/sdks\n!.yarn/versions\n.pnp.*\n",
    },
    lockfile: "yarn.lock",
    // Yarn 4 reads no .npmrc: .yarnrc.yml names the registry (as a company's own would).
    lock: (_dir, home) => ({ argv: ["node", join(berry.dir, "bin/yarn.js"), "install", "--mode=update-lockfile"], env: { YARN_GLOBAL_FOLDER: join(home, "berry"), YARN_ENABLE_TELEMETRY: "0" } }),
    manifests: ["package.json"],
    checkDirs: ["."],
    locks: (name, version) => `resolution: "${name}@npm:${version}"`,
    provided: `yarn is yarn ${berry.version}, provisioned in`,
    update: "$ yarn install --mode=update-lockfile",
    frozen: "$ yarn install --immutable --mode=skip-build",
  }),
  // The cheapest package manager (PushPals' own Bun: nothing to provision), a range that already allows 1.1.0.
  maintenance: () => ({
    files: { "package.json": `{\n  "name": "app",\n  "packageManager": "bun@${Bun.version}",\n  "dependencies": {\n    "lib-a": "1.x"\n  }\n}\n` },
    lockfile: "bun.lock",
    lock: (_dir, home) => ({ argv: [process.execPath, "install", "--lockfile-only"], env: { NPM_CONFIG_REGISTRY: registry.url, BUN_INSTALL_CACHE_DIR: join(home, "cache") } }),
    manifests: [],
    checkDirs: ["."],
    locks: (name, version) => `"${name}": ["${name}@${version}"`,
    provided: `bun is Bun ${Bun.version}, the one PushPals runs on`,
    update: "$ bun install --lockfile-only --ignore-scripts",
    frozen: "$ bun install --frozen-lockfile --ignore-scripts",
    config: "[dependency_steward]\nlockfile_maintenance = true\n",
  }),
};

function npmrc(home: string): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, ".npmrc");
  // The registry alone: Yarn 1 knows no `noproxy`, so no proxy setting may send the local registry's requests elsewhere.
  writeFileSync(file, `registry=${registry.url}\n//127.0.0.1:${registry.port}/:_authToken=${registry.token}\n`);
  return file;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** The lockfile `name`'s real package manager writes, as a developer makes it, against the registry alone. */
async function writeLockfile(name: string, c: Case): Promise<string> {
  const dir = join(scratch.path, `dev-${name}`);
  const home = join(scratch.path, `dev-${name}-home`);
  write(dir, c.files);
  const { argv, env = {} } = c.lock(dir, home);
  const userconfig = npmrc(home);
  const proc = Bun.spawn(argv, { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: SYSTEM_PATH, HOME: home, NPM_CONFIG_USERCONFIG: userconfig, ...env }, timeout: 60_000 });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (exitCode !== 0 || !existsSync(join(dir, c.lockfile))) throw new Error(`${argv.join(" ")} (exit ${exitCode}) wrote no ${c.lockfile}:\n${stdout}${stderr}`);
  const text = readFileSync(join(dir, c.lockfile), "utf8");
  expect(text).not.toContain("registry.npmjs.org");
  expect(text).not.toContain("registry.yarnpkg.com");
  return text;
}

beforeAll(async () => {
  registry = await startAccessVerdaccio();
  const { url, token } = registry;
  [pnpm, yarn1, berry] = await Promise.all([publishRelease("pnpm"), publishRelease("yarn"), publishRelease("@yarnpkg/cli-dist")]);
  await publishVersions(url, token, "helper-dep", [{ version: "1.0.0" }]);
  await publishVersions(url, token, "lib-a", [{ version: "1.0.0" }]);
  setPublishTimes(registry.storage, "helper-dep", { "1.0.0": 60 });
  setPublishTimes(registry.storage, "lib-a", { "1.0.0": 60 });
  const names = Object.keys(CASES);
  const texts = await Promise.all(names.map((name) => writeLockfile(name, CASES[name]!())));
  names.forEach((name, i) => (lockfiles[name] = texts[i]!));
  // Then the releases the steward finds: 1.1.0 brings a dependency of its own; 1.2.0 is too new for the policy.
  await publishVersions(url, token, "lib-a", [{ version: "1.0.1" }, { version: "1.1.0", dependencies: { "helper-dep": "^1.0.0" } }, { version: "1.2.0" }]);
  setPublishTimes(registry.storage, "lib-a", { "1.0.1": 30, "1.1.0": 10, "1.2.0": 1 });
}, 90_000);

afterAll(async () => {
  // A test that timed out never reached the end of its scope: its cluster goes here.
  await Promise.all(started.map((cluster) => cluster.stop()));
  await registry?.stop();
  scratch.cleanup();
});

// Each case has its own cluster and repository, and mostly waits on it (the scan, the steward's job, the
// package manager, the checks, the review): the cases run concurrently, two at a time.
const lane = lanes(2);
const started: Cluster[] = [];

/** A cluster on the case's repository, with the scan on and no package manager but npm on the worker's PATH. */
async function startCluster(name: string, c: Case): Promise<Cluster> {
  const home = join(scratch.path, `home-${name}`);
  const userNpmrc = npmrc(home);
  expect(["pnpm", "yarn", "bun"].map((pm) => Bun.which(pm, { PATH: SYSTEM_PATH }))).toEqual([null, null, null]);
  const cluster = await Cluster.create({
    configToml: config(c.checkDirs, c.config),
    files: { ".gitignore": "node_modules/\n", ...c.files, [c.lockfile]: lockfiles[name]!, "check.js": CHECK_JS },
    env: { HOME: home, PATH: SYSTEM_PATH, NPM_CONFIG_USERCONFIG: userNpmrc, npm_config_userconfig: userNpmrc, PUSHPALS_DEPENDENCY_STEWARD_SCAN_EVERY_SECONDS: "3600" },
  });
  started.push(cluster);
  await cluster.startServer();
  await cluster.startWorker("w1");
  await cluster.startAgents();
  await cluster.startRemoteAgent();
  return cluster;
}

async function stewardItems(cluster: Cluster): Promise<WorkItem[]> {
  return (await cluster.client.call(routes.listWorkItems, { query: { all: "1" } })).items.filter((i) => i.type === "dependency_update");
}

/** The steward item `key` (the scan at start files it) once its PR opened; fails at once when it stopped without one. */
async function prOpened(cluster: Cluster, key: string, timeoutMs = 90_000): Promise<{ item: WorkItem; pr: PullRequest }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await stewardItems(cluster);
    const item = items.find((i) => i.dedupeKey === key);
    if (item && typeof item.detail.pr === "number") {
      return { item, pr: (await cluster.client.call(routes.getPr, { params: { number: item.detail.pr } })).pr };
    }
    const stopped = item && ["blocked", "failed", "done"].includes(item.state);
    if (stopped || Date.now() > deadline) {
      throw new Error(`${stopped ? `the item ${key} stopped (${item.state}) without a PR` : `timed out waiting for the PR of ${key}`}; items: ${JSON.stringify(items.map((i) => [i.dedupeKey, i.state, i.question]))}\n${cluster.cli(["jobs"]).stdout}\n${cluster.procs.map((p) => p.output()).join("\n---\n").slice(-8000)}`);
    }
    await Bun.sleep(100);
  }
}

function show(cluster: Cluster, ref: string, path: string): string {
  const r = Bun.spawnSync(["git", "show", `${ref}:${path}`], { cwd: cluster.root, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString();
}

function expectLocks(c: Case, lock: string, name: string, version: string, yes = true): void {
  if (yes) expect(lock).toContain(c.locks(name, version));
  else expect(lock).not.toContain(c.locks(name, version));
}

/** The job's log: its package manager regenerated the lockfile twice (pinned, then final ranges), installed it frozen on the head, and the check required 1.1.0 there. */
function expectRanAsRepository(cluster: Cluster, pr: PullRequest, c: Case): void {
  const logs = cluster.cli(["logs", pr.jobId]).stdout;
  expect(logs).toContain(c.provided);
  expect(logs.split(`${c.update}    # dependencies`).length - 1).toBe(2);
  expect(logs).toContain(c.frozen);
  for (const dir of c.checkDirs) expect(logs).toContain(`\n${dir} requires lib-a@1.1.0\n`);
}

describe.each(["pnpm", "yarn1", "bun", "berry"])("%s", (name) => {
  test.concurrent("the non-major group's PR changes exactly the manifests and the lockfile, locks 1.1.0 with the repository's package manager, and passes its checks on a frozen install", () => lane(async () => {
    const c = CASES[name]!();
    await using cluster = await startCluster(name, c);
    const { item, pr } = await prOpened(cluster, "deps:main:prod-non-major");
    const updates = (item.detail.group as { updates: { manifestPath: string; name: string; to: string; newRange: string }[] }).updates;
    expect(updates.map((u) => [u.manifestPath, u.name, u.to, u.newRange])).toEqual(c.manifests.map((m) => [m, "lib-a", "1.1.0", "^1.1.0"]));
    expect(pr.files.map((f) => f.path).sort()).toEqual([...c.manifests, c.lockfile].sort());
    expect([pr.checks.state, pr.checks.sha, pr.checks.results.map((r) => [r.name, r.exitCode])]).toEqual(["passed", pr.headSha, [["uses-lib-a", 0]]]);
    // Byte for byte outside the changed value.
    for (const manifest of c.manifests) expect(show(cluster, pr.headSha, manifest)).toBe(c.files[manifest]!.replace('"lib-a":"^1.0.0"', '"lib-a":"^1.1.0"').replace('"lib-a": "^1.0.0"', '"lib-a": "^1.1.0"'));
    const lock = show(cluster, pr.headSha, c.lockfile);
    expectLocks(c, lock, "lib-a", "1.1.0");
    expectLocks(c, lock, "helper-dep", "1.0.0");
    expectLocks(c, lock, "lib-a", "1.0.0", false);
    expectLocks(c, lock, "lib-a", "1.2.0", false);
    // The repository's own package manager regenerated it (PushPals' Bun, or the pinned release from the registry), and installed it frozen for the checks.
    expectRanAsRepository(cluster, pr, c);
  }), lane.queuedTimeout(180_000));
});

describe("lockfile_maintenance, with Bun", () => {
  test.concurrent("an update inside the range is the lockfile-maintenance group: its PR changes only the lockfile, and passes its checks", () => lane(async () => {
    const c = CASES.maintenance!();
    await using cluster = await startCluster("maintenance", c);
    const { item, pr } = await prOpened(cluster, "deps:main:lockfile-maintenance");
    const updates = (item.detail.group as { updates: { manifestPath: string; name: string; kind: string; to: string; newRange: string }[] }).updates;
    expect(updates.map((u) => [u.manifestPath, u.name, u.kind, u.to, u.newRange])).toEqual([["package.json", "lib-a", "in-range", "1.1.0", "1.x"]]);
    expect(pr.files.map((f) => f.path)).toEqual(["bun.lock"]);
    expect(show(cluster, pr.headSha, "package.json")).toBe(c.files["package.json"]!);
    expect([pr.checks.state, pr.checks.results.map((r) => [r.name, r.exitCode])]).toEqual(["passed", [["uses-lib-a", 0]]]);
    const lock = show(cluster, pr.headSha, "bun.lock");
    expectLocks(c, lock, "lib-a", "1.1.0");
    expectLocks(c, lock, "lib-a", "1.0.0", false);
    expectRanAsRepository(cluster, pr, c);
    // The only group: no range changes ride along.
    expect((await stewardItems(cluster)).map((i) => i.dedupeKey)).toEqual(["deps:main:lockfile-maintenance"]);
  }), lane.queuedTimeout(180_000));
});
