import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DEFAULT_POLICY } from "../src/policy/policy-defaults.ts";
import { fetchPackuments } from "../src/registry/fetch-packuments.ts";
import { extractDependencies, type Extraction } from "../src/updates/extract.ts";
import { planUpdates } from "../src/updates/plan-updates.ts";
import { publishVersions, startAccessVerdaccio, type AccessRegistry } from "./helpers/registry-fixture.ts";
import { tempDir } from "./helpers/temp.ts";

// Issue #16, extraction: the same workspace repository (a root, an app and a library that the app uses)
// locked by each real package manager (npm, pnpm 10, Yarn 1, Bun; PushPals' own pinned releases) against a
// local Verdaccio, then read back: every manifest, each dependency's type, range and the version its
// lockfile installs there, including a workspace that locks another version than the root.

const ROOT = resolve(import.meta.dir, "..");
const SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";
const scratch = tempDir("pushpals-update-extraction-");
let registry: AccessRegistry;
const repos: Record<string, string> = {};

beforeAll(async () => {
  registry = await startAccessVerdaccio();
  await Promise.all([
    publishVersions(registry.url, registry.token, "lib-a", [{ version: "1.0.0" }, { version: "1.1.0" }, { version: "2.0.0" }]),
    publishVersions(registry.url, registry.token, "@scope/util", [{ version: "1.0.0" }, { version: "1.0.5" }, { version: "1.2.0" }]),
    publishVersions(registry.url, registry.token, "lib-b", [{ version: "1.0.0" }, { version: "1.4.0" }]),
    publishVersions(registry.url, registry.token, "real-lib", [{ version: "3.1.0" }]),
  ]);
  const made = await Promise.all([npmRepo(), pnpmRepo(), yarnRepo(), bunRepo()]);
  Object.assign(repos, Object.fromEntries(made));
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  scratch.cleanup();
});

/** The app's manifest: lib-a at another major than the root's, the library by its workspace name, an alias, a peer. */
const app = (core: string) => ({
  name: "app",
  version: "1.0.0",
  private: true,
  dependencies: { "lib-a": "^2.0.0", "lib-core": core, aliased: "npm:real-lib@^3.0.0" },
  peerDependencies: { "lib-b": "^1.0.0" },
  devDependencies: { "lib-b": "^1.0.0" },
});
const core = { name: "lib-core", version: "1.0.0", dependencies: { "lib-b": "1.0.0" }, optionalDependencies: { "@scope/util": "^1.0.0" } };
const rootManifest = (extra: Record<string, unknown>) => ({ name: "monorepo", version: "0.0.0", private: true, engines: { node: ">=20" }, dependencies: { "lib-a": "^1.0.0" }, devDependencies: { "@scope/util": "~1.0.0" }, ...extra });

function write(dir: string, files: Record<string, unknown>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
}

async function run(name: string, files: Record<string, unknown>, argv: string[], lockfile: string, env: Record<string, string> = {}): Promise<[string, string]> {
  const dir = join(scratch.path, name);
  const home = join(scratch.path, `${name}-home`);
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, ".npmrc"), `registry=${registry.url}\n`);
  write(dir, files);
  const proc = Bun.spawn(argv, { cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: SYSTEM_PATH, HOME: home, NPM_CONFIG_USERCONFIG: join(home, ".npmrc"), ...env }, timeout: 60_000 });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (exitCode !== 0 || !existsSync(join(dir, lockfile))) throw new Error(`${argv.join(" ")} (exit ${exitCode}) wrote no ${lockfile}:\n${stdout}${stderr}`);
  return [name, dir];
}

const pm = (name: string, bin: string) => ["node", join(ROOT, "node_modules", name, bin)];

function npmRepo() {
  const files = { "package.json": rootManifest({ workspaces: ["packages/*"] }), "packages/app/package.json": app("^1.0.0"), "packages/core/package.json": core };
  return run("npm", files, ["npm", "install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", "--cache", join(scratch.path, "npm-cache")], "package-lock.json");
}

function pnpmRepo() {
  const files = {
    "package.json": rootManifest({ packageManager: "pnpm@10.34.9" }),
    "pnpm-workspace.yaml": "packages:\n  - 'packages/*'\n  - '!packages/ignored'\n",
    "packages/app/package.json": app("workspace:*"),
    "packages/core/package.json": core,
    "packages/ignored/package.json": { name: "ignored", version: "1.0.0", dependencies: { "lib-a": "1.0.0" } },
  };
  return run("pnpm", files, [...pm("pnpm", "bin/pnpm.cjs"), "install", "--lockfile-only", "--ignore-scripts", "--store-dir", join(scratch.path, "pnpm-store")], "pnpm-lock.yaml");
}

function yarnRepo() {
  const files = { "package.json": rootManifest({ workspaces: { packages: ["packages/*"] } }), "packages/app/package.json": app("^1.0.0"), "packages/core/package.json": core };
  const argv = [...pm("yarn", "bin/yarn.js"), "install", "--ignore-scripts", "--non-interactive", "--no-progress", "--registry", registry.url, "--cache-folder", join(scratch.path, "yarn-cache")];
  return run("yarn", files, argv, "yarn.lock");
}

function bunRepo() {
  const files = { "package.json": rootManifest({ workspaces: ["packages/*"] }), "packages/app/package.json": app("^1.0.0"), "packages/core/package.json": core };
  return run("bun", files, [process.execPath, "install", "--lockfile-only"], "bun.lock", { NPM_CONFIG_REGISTRY: registry.url, BUN_INSTALL_CACHE_DIR: join(scratch.path, "bun-cache") });
}

/** One line per dependency: "manifest type name@range -> locked". */
const lines = (e: Extraction) => e.dependencies.map((d) => `${d.manifestPath} ${d.type} ${d.alias ? `${d.alias}=` : ""}${d.name}@${d.range} -> ${d.lockedVersion}`).sort();

/** What every package manager locks alike; `differs` lists what one of them locks its own way. */
function expected(differs: Record<string, string | null>): string[] {
  const base: Record<string, string | null> = {
    "package.json dev @scope/util@~1.0.0": "1.0.5",
    "package.json prod lib-a@^1.0.0": "1.1.0",
    "packages/app/package.json dev lib-b@^1.0.0": "1.4.0",
    "packages/app/package.json peer lib-b@^1.0.0": "1.4.0",
    "packages/app/package.json prod aliased=real-lib@^3.0.0": "3.1.0",
    "packages/app/package.json prod lib-a@^2.0.0": "2.0.0",
    "packages/core/package.json optional @scope/util@^1.0.0": "1.0.5",
    "packages/core/package.json prod lib-b@1.0.0": "1.0.0",
  };
  return Object.entries({ ...base, ...differs }).map(([dep, locked]) => `${dep} -> ${locked}`).sort();
}

const CASES = {
  npm: { lockfile: "package-lock.json", differs: {}, linked: "linked to a folder of the repository by the lockfile" },
  // pnpm resolves the app's lib-b to the 1.0.0 the library pins (one copy satisfies both), and its peer with it.
  pnpm: { lockfile: "pnpm-lock.yaml", differs: { "packages/app/package.json dev lib-b@^1.0.0": "1.0.0", "packages/app/package.json peer lib-b@^1.0.0": "1.0.0" }, linked: "a workspace: package of the repository" },
  // Yarn 1 resolves each selector on its own: the library's ^1.0.0 gets the newest 1.x.
  yarn: { lockfile: "yarn.lock", differs: { "packages/core/package.json optional @scope/util@^1.0.0": "1.2.0" }, linked: "a workspace package of the repository" },
  bun: { lockfile: "bun.lock", differs: {}, linked: "linked to a folder of the repository by the lockfile" },
} as const;

describe.each(Object.keys(CASES) as (keyof typeof CASES)[])("%s", (name) => {
  test("every manifest, each dependency's type, range and the version its lockfile installs there", async () => {
    const c = CASES[name];
    const extraction = await extractDependencies(repos[name]!);
    expect([extraction.ecosystem, extraction.lockfile, extraction.lockfileProblem, extraction.engineNode]).toEqual([name, c.lockfile, null, ">=20"]);
    expect(extraction.manifests).toEqual([
      { path: "package.json", dir: "", packageName: "monorepo", kind: "root" },
      { path: "packages/app/package.json", dir: "packages/app", packageName: "app", kind: "workspace" },
      { path: "packages/core/package.json", dir: "packages/core", packageName: "lib-core", kind: "workspace" },
    ]);
    expect(lines(extraction)).toEqual(expected(c.differs));
    expect(extraction.skipped.map((s) => `${s.manifestPath} ${s.name}: ${s.reason}`)).toEqual([`packages/app/package.json lib-core: ${c.linked}`]);
    expect(extraction.notes).toEqual([]);
  });
});

test("extracted, fetched from the registry and planned: the slices fit (ages through `now`, from the times Verdaccio recorded)", async () => {
  const extraction = await extractDependencies(repos.npm!);
  const docs = await fetchPackuments(
    extraction.dependencies.map((d) => d.name),
    { npmConfig: { user: `registry=${registry.url}\n`, project: null, env: {} }, cacheDir: join(scratch.path, "packuments"), retries: 0 },
  );
  const packuments = new Map([...docs].map(([name, d]) => [name, d.packument] as const));
  const published = Math.max(...[...packuments.values()].flatMap((p) => Object.values(p.time ?? {}).map((t) => Date.parse(t))));
  const DAY = 86_400_000;
  const planAt = (now: number) =>
    planUpdates({ dependencies: extraction.dependencies, packuments, policy: DEFAULT_POLICY, now: new Date(now), engineNode: extraction.engineNode }).map((p) => ({
      dependency: `${p.dependency.manifestPath} ${p.dependency.type} ${p.dependency.name}@${p.dependency.range}`,
      candidates: p.candidates.map((c) => `${c.kind} ${c.from}->${c.to} ${c.newRange} ${c.tier}`),
      skipped: p.skipped.map((s) => `${s.kind ?? "all"} ${s.version ?? "-"}: ${s.reason}`),
    }));
  const offered = planAt(published + 5 * DAY).filter((p) => p.candidates.length > 0 || p.skipped.length > 0);
  expect(offered).toEqual([
    { dependency: "package.json prod lib-a@^1.0.0", candidates: ["major 1.1.0->2.0.0 ^2.0.0 high"], skipped: [] },
    { dependency: "package.json dev @scope/util@~1.0.0", candidates: ["minor 1.0.5->1.2.0 ~1.2.0 medium"], skipped: [] },
    { dependency: "packages/app/package.json peer lib-b@^1.0.0", candidates: [], skipped: ["all -: a peer dependency: left alone unless peer updates are configured"] },
    { dependency: "packages/core/package.json prod lib-b@1.0.0", candidates: ["minor 1.0.0->1.4.0 1.4.0 medium"], skipped: [] },
    { dependency: "packages/core/package.json optional @scope/util@^1.0.0", candidates: ["in-range 1.0.5->1.2.0 ^1.0.0 medium", "minor 1.0.5->1.2.0 ^1.2.0 medium"], skipped: [] },
  ]);
  // A day after publishing, every one of them is too new for the default three days.
  const early = planAt(published + DAY);
  expect(early.flatMap((p) => p.candidates)).toEqual([]);
  expect(early.flatMap((p) => p.skipped)).toContain("major 2.0.0: too new: 1 days < 3");
});
