import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npm, offlineNpmEnv, writeNpmFixture } from "../../test/helpers/npm-fixture.ts";
import { tempDir } from "../../test/helpers/temp.ts";
import { resolveSandboxSpec } from "../sandbox/resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../sandbox/sandbox-settings.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { pruneCache } from "./cache-evict.ts";
import { DEFAULT_INSTALL } from "./installers.ts";
import { prepareDependencies } from "./prepare.ts";

// Real npm in the real sandbox, offline (the fixture's dependency is a folder in the repo): what the cache
// key keeps and what the cache's size bound evicts, through prepareDependencies itself.
const root = tempDir("pushpals-deps-keys-");
const npmCache = join(root.path, "npm-cache");
const env = offlineNpmEnv(npmCache);
let template: string;
let n = 0;

beforeAll(() => {
  template = join(root.path, "template");
  writeNpmFixture(template, npmCache);
});
afterAll(() => root.cleanup());

function worktree(edit?: (dir: string) => void): string {
  const dir = join(root.path, `wt${++n}`);
  const r = Bun.spawnSync(["cp", "-a", template, dir]);
  if (r.exitCode !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  edit?.(dir);
  return dir;
}

function editPackageJson(dir: string, change: (pkg: Record<string, unknown>) => void): void {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  change(pkg);
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
}

/** A worktree whose lockfile differs: tiny-dep at another version, relocked the way a developer does it. */
function relocked(version: string): string {
  return worktree((dir) => {
    const pkgPath = join(dir, "vendor/tiny-dep/package.json");
    writeFileSync(pkgPath, readFileSync(pkgPath, "utf8").replace('"1.0.0"', `"${version}"`));
    npm(dir, npmCache, ["install", "--package-lock-only", "--ignore-scripts"]);
  });
}

async function prepare(dir: string, cacheDir: string, cacheMaxMb?: number) {
  const logs: string[] = [];
  const commands: CommandReport[] = [];
  const result = await prepareDependencies({
    dir,
    cacheDir,
    settings: DEFAULT_INSTALL,
    signal: new AbortController().signal,
    log: (stream, line) => logs.push(`${stream}: ${line}`),
    recordCommand: async (report) => void commands.push(report),
    env,
    sandbox: resolveSandboxSpec({ writableDir: dir, network: false, settings: DEFAULT_SANDBOX_SETTINGS }),
    cacheMaxMb,
  });
  return { result, logs, commands };
}

const entries = (cacheDir: string) => readdirSync(cacheDir).filter((name) => !name.startsWith(".")).sort();

describe("the cache key follows what the install reads", () => {
  const cacheDir = () => join(root.path, "cache-key");

  test("a package.json change no install reads (description, version, the test script) is a hit", async () => {
    expect((await prepare(worktree(), cacheDir())).result).toMatchObject({ cacheHit: false });
    const cosmetic = worktree((dir) =>
      editPackageJson(dir, (pkg) => {
        pkg.description = "now described";
        pkg.version = "1.0.1";
        pkg.scripts = { test: "node -e 0" };
      }),
    );
    const { result, commands } = await prepare(cosmetic, cacheDir());
    expect(result).toMatchObject({ cacheHit: true });
    expect(commands).toEqual([]);
  });

  test("a dependency change is a miss, even one the lockfile accepts as it is", async () => {
    // npm ci takes "file:vendor/tiny-dep" for the locked "file:./vendor/tiny-dep": same lockfile, other spec.
    const changed = worktree((dir) => editPackageJson(dir, (pkg) => void ((pkg.dependencies as Record<string, string>)["tiny-dep"] = "file:vendor/tiny-dep")));
    const { result, commands } = await prepare(changed, cacheDir());
    expect(result).toMatchObject({ cacheHit: false });
    expect(commands).toEqual([expect.objectContaining({ command: "npm ci --ignore-scripts --no-audit --no-fund", exitCode: 0 })]);
    expect(entries(cacheDir())).toHaveLength(2);
  });
});

describe("the cache stays under install.cache_max_mb", () => {
  test("storing past the limit evicts the least recently used entry; a hit keeps one; an entry in use is never evicted", async () => {
    const cacheDir = join(root.path, "cache-bounded");
    const first = worktree();
    const a = await prepare(first, cacheDir);
    const keyA = entries(cacheDir)[0]!;
    const entryMb = pruneCache(cacheDir, Number.MAX_SAFE_INTEGER).before / (1024 * 1024);
    const limit = entryMb * 2.5;
    expect(a.result).toMatchObject({ cacheHit: false });

    // a is still mounted by its checkout: a tiny limit evicts nothing of it.
    const second = relocked("1.0.1");
    const b = await prepare(second, cacheDir, entryMb / 10);
    expect(b.result).toMatchObject({ cacheHit: false });
    expect(entries(cacheDir)).toHaveLength(2);
    const keyB = entries(cacheDir).find((k) => k !== keyA)!;
    rmSync(first, { recursive: true });
    rmSync(second, { recursive: true });

    // A hit on a makes b the least recently used, so the third store evicts b.
    const hit = worktree();
    expect((await prepare(hit, cacheDir, limit)).result).toMatchObject({ cacheHit: true });
    rmSync(hit, { recursive: true });
    const third = await prepare(relocked("1.0.2"), cacheDir, limit);
    expect(third.logs.join("\n")).toMatch(/was over install\.cache_max_mb .* evicted 1 least recently used entry/);
    expect(entries(cacheDir)).toContain(keyA);
    expect(entries(cacheDir)).not.toContain(keyB);
    expect(entries(cacheDir)).toHaveLength(2);
  });
});

describe("a repository without a lockfile by design", () => {
  test("installs without one, says the versions were resolved at install time, and caches nothing", async () => {
    const dir = join(root.path, "no-lock-by-design");
    writeNpmFixture(dir, npmCache, { noLockfile: true });
    writeFileSync(join(dir, ".npmrc"), "package-lock=false\n");
    const cacheDir = join(root.path, "cache-unpinned");
    for (let i = 0; i < 2; i++) {
      const { result, logs, commands } = await prepare(dir, cacheDir);
      expect(result).toMatchObject({ packageManager: "npm", cacheHit: false, mounts: [], unpinned: "package-lock=false in .npmrc" });
      expect(commands).toEqual([expect.objectContaining({ command: "npm install --no-package-lock --ignore-scripts --no-audit --no-fund", exitCode: 0 })]);
      expect(logs).toContain("system: dependencies: no lockfile by design (package-lock=false in .npmrc): the versions are resolved at install time, not pinned by the commit");
      expect(logs).toContainEqual(expect.stringMatching(/^system: dependencies: npm install \(no lockfile, versions resolved at install time, \d+\.\d\d s; not cached\)$/));
    }
    expect(existsSync(join(dir, "node_modules/tiny-dep/index.js"))).toBe(true);
    expect(existsSync(join(dir, "package-lock.json"))).toBe(false);
    expect(existsSync(cacheDir)).toBe(false);
  });
});
