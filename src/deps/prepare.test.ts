import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import type { InstallSettings } from "../config/check-settings.ts";
import { resolveSandboxSpec } from "../sandbox/resolve-spec.ts";
import { runCommand } from "../sandbox/run-command.ts";
import type { ReadOnlyMount } from "../sandbox/sandbox-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../sandbox/sandbox-settings.ts";
import { JobFailure } from "../core/job-failure.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { DEFAULT_INSTALL } from "./installers.ts";
import { prepareDependencies, type PrepareOptions } from "./prepare.ts";
import { npm, offlineNpmEnv, writeNpmFixture } from "../../test/helpers/npm-fixture.ts";

// Real npm, real installs in the real sandbox, no network: the fixture's dependencies are a folder and a
// tarball in the repo. The sandbox's /tmp is private, so npm's cache (npm_config_cache) lives there per run.
const root = tempDir("pushpals-deps-prepare-");
const npmCache = join(root.path, "npm-cache");
const env = offlineNpmEnv(npmCache);
const marker = "postinstall-ran";
let template: string;
let n = 0;

beforeAll(() => {
  template = join(root.path, "template");
  writeNpmFixture(template, npmCache, { tarball: true, postinstallMarker: marker });
});
afterAll(() => root.cleanup());

/** A fresh "worktree": a copy of the fixture without node_modules, like `git worktree add` gives. */
function worktree(from = template): string {
  const dir = join(root.path, `wt${++n}`);
  const r = Bun.spawnSync(["cp", "-a", from, dir]);
  if (r.exitCode !== 0) throw new Error(`cp failed: ${r.stderr.toString()}`);
  return dir;
}

async function prepare(dir: string, cacheDir: string, settings: InstallSettings = DEFAULT_INSTALL, extra: Partial<PrepareOptions> = {}) {
  const logs: string[] = [];
  const commands: CommandReport[] = [];
  const result = await prepareDependencies({
    dir,
    cacheDir,
    settings,
    signal: new AbortController().signal,
    log: (stream, line) => logs.push(`${stream}: ${line}`),
    recordCommand: async (report) => void commands.push(report),
    env,
    sandbox: resolveSandboxSpec({ writableDir: dir, network: true, settings: DEFAULT_SANDBOX_SETTINGS }),
    ...extra,
  });
  mountsOf.set(dir, result?.mounts ?? []);
  return { result, logs, commands };
}

async function failureOf(promise: Promise<unknown>): Promise<JobFailure> {
  const err = await promise.then(() => null, (e: unknown) => e);
  if (!(err instanceof JobFailure)) throw new Error(`expected a JobFailure, got ${String(err)}`);
  return err;
}

/** The cache's entries (leases, temp and trash dirs start with a dot). */
const cacheEntries = (cacheDir: string) => readdirSync(cacheDir).filter((name) => !name.startsWith("."));

/** Each prepared worktree's read-only dependency mounts, as later commands in it get them. */
const mountsOf = new Map<string, ReadOnlyMount[]>();

/** `require(pkg)` the way a job's command does: in the sandbox, with the worktree's dependency mounts. */
async function requires(dir: string, pkg: string): Promise<{ stdout: string; exitCode: number | null }> {
  const lines: string[] = [];
  const sandbox = resolveSandboxSpec({ writableDir: dir, network: false, settings: DEFAULT_SANDBOX_SETTINGS, mounts: mountsOf.get(dir) ?? [] });
  const r = await runCommand(`node -e 'console.log(require(${JSON.stringify(pkg)}))'`, { cwd: dir, timeoutMs: 20_000, signal: new AbortController().signal, sandbox, onLine: (stream, line) => stream === "stdout" && lines.push(line) });
  return { stdout: lines.map((l) => `${l}\n`).join(""), exitCode: r.exitCode };
}

describe("preparing dependencies with npm", () => {
  const cache = () => join(root.path, "cache-main");

  test("(1) a cold prepare runs npm ci without scripts, and populates the cache", async () => {
    const dir = worktree();
    const { result, logs, commands } = await prepare(dir, cache());
    expect(result).toMatchObject({ packageManager: "npm", cacheHit: false });
    expect(commands).toEqual([expect.objectContaining({ command: "npm ci --ignore-scripts --no-audit --no-fund", exitCode: 0 })]);
    expect((await requires(dir, "tiny-dep")).stdout).toBe("tiny\n");
    expect((await requires(dir, "tiny-lib")).stdout).toBe("42\n");
    expect(logs).toContainEqual(expect.stringMatching(/^system: dependencies: npm ci \(cache miss, \d+\.\d\d s; cached as npm-[0-9a-f]{40}\)$/));
    const entries = cacheEntries(cache());
    expect(entries).toHaveLength(1);
    expect(existsSync(join(cache(), entries[0]!, "node_modules/tiny-lib/index.js"))).toBe(true);
  });

  test("(2) a second prepare on the same lockfile is a fast cache hit with its own node_modules", async () => {
    const dir = worktree();
    const { result, logs, commands } = await prepare(dir, cache());
    expect(result).toMatchObject({ packageManager: "npm", cacheHit: true });
    expect(result!.durationMs).toBeLessThan(1_000);
    expect(commands).toEqual([]);
    expect(logs).toContainEqual(expect.stringMatching(/^system: dependencies: npm ci \(cache hit, \d+\.\d\d s\)$/));
    expect((await requires(dir, "tiny-dep")).stdout).toBe("tiny\n");
    expect((await requires(dir, "tiny-lib")).stdout).toBe("42\n");
    const [entry] = cacheEntries(cache());
    const cached = statSync(join(cache(), entry!, "node_modules/tiny-lib/index.js"));
    // Nothing is copied: the sandbox mounts the entry read-only into the worktree.
    expect(result!.mounts).toEqual([{ source: join(cache(), entry!, "node_modules"), target: "node_modules", scratch: [".cache", ".vite"] }]);
    expect(existsSync(join(dir, "node_modules/tiny-lib/index.js"))).toBe(false);
    expect(cached.mode & 0o222).toBe(0);
  });

  test("(3) a changed lockfile is a miss and a second entry", async () => {
    const dir = worktree();
    const pkgPath = join(dir, "vendor/tiny-dep/package.json");
    writeFileSync(pkgPath, readFileSync(pkgPath, "utf8").replace('"1.0.0"', '"1.0.1"'));
    npm(dir, npmCache, ["install", "--package-lock-only", "--ignore-scripts"]);
    expect(readFileSync(join(dir, "package-lock.json"), "utf8")).not.toBe(readFileSync(join(template, "package-lock.json"), "utf8"));
    const { result } = await prepare(dir, cache());
    expect(result).toMatchObject({ cacheHit: false });
    expect(cacheEntries(cache())).toHaveLength(2);
  });

  test("(4) package.json without a lockfile: invalid_input that says how to fix it, nothing run", async () => {
    const dir = join(root.path, "no-lock");
    writeNpmFixture(dir, npmCache, { noLockfile: true });
    const failure = await failureOf(prepare(dir, join(root.path, "cache-none")));
    expect(failure.failureClass).toBe("invalid_input");
    expect(failure.message).toContain("run npm install and commit package-lock.json");
    expect(existsSync(join(root.path, "cache-none"))).toBe(false);
  });

  test("(5) a lockfile out of sync with package.json: environment, not retried, with npm's own output as evidence", async () => {
    const dir = worktree();
    // package.json no longer matches the lockfile: npm ci refuses, as it would in CI.
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    pkg.dependencies["not-in-lockfile"] = "file:./vendor/tiny-dep";
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
    const logs: string[] = [];
    const failure = await failureOf(prepare(dir, join(root.path, "cache-fail"), DEFAULT_INSTALL, { log: (_s, l) => logs.push(l) }));
    expect(failure.failureClass).toBe("environment");
    expect(failure.message).toBe(
      "installing dependencies failed: `npm ci --ignore-scripts --no-audit --no-fund` exited 1: package-lock.json is out of sync with package.json; run npm install and commit package-lock.json",
    );
    expect(failure.evidence).toMatchObject({ command: "npm ci --ignore-scripts --no-audit --no-fund", exitCode: 1, notRetryable: "package-lock.json is out of sync with package.json" });
    expect(failure.evidence.logExcerpt).toMatch(/in sync/);
    expect(logs.join("\n")).toMatch(/in sync/);
    expect(existsSync(join(root.path, "cache-fail"))).toBe(false);
  });

  test("(6) install scripts run only with allow_scripts, and the two installs are cached apart", async () => {
    const cacheDir = join(root.path, "cache-scripts");
    const without = worktree();
    await prepare(without, cacheDir);
    expect(existsSync(join(without, marker))).toBe(false);
    const withScripts = worktree();
    const { result, commands } = await prepare(withScripts, cacheDir, { ...DEFAULT_INSTALL, allowScripts: true });
    expect(result).toMatchObject({ cacheHit: false });
    expect(commands[0]!.command).toBe("npm ci --no-audit --no-fund");
    expect(readFileSync(join(withScripts, marker), "utf8")).toBe("ran");
  });

  test("concurrent cold prepares of one lockfile both succeed and leave one complete entry", async () => {
    const cacheDir = join(root.path, "cache-race");
    const dirs = [worktree(), worktree(), worktree()];
    const results = await Promise.all(dirs.map((d) => prepare(d, cacheDir)));
    expect(results.map((r) => r.result?.cacheHit)).toEqual([false, false, false]);
    expect(readdirSync(cacheDir).filter((e) => !e.startsWith("."))).toHaveLength(1);
    expect(readdirSync(cacheDir).filter((e) => e.startsWith(".tmp-"))).toEqual([]);
    for (const d of dirs) expect((await requires(d, "tiny-lib")).exitCode).toBe(0);
    expect((await prepare(worktree(), cacheDir)).result).toMatchObject({ cacheHit: true });
  });

  test("a job writing into its node_modules never changes what the next job gets", async () => {
    const cacheDir = join(root.path, "cache-private");
    await prepare(worktree(), cacheDir);
    const hit = worktree();
    expect((await prepare(hit, cacheDir)).result).toMatchObject({ cacheHit: true });
    const file = join(hit, "node_modules/tiny-lib/index.js");
    try {
      chmodSync(file, 0o644);
      writeFileSync(file, "module.exports = 'poisoned';\n");
    } catch {
      return; // not root: the shared file is read-only, which is the protection
    }
    const next = worktree();
    expect((await prepare(next, cacheDir)).result).toMatchObject({ cacheHit: true });
    expect((await requires(next, "tiny-lib")).stdout).toBe("42\n");
  });

  test("a cache entry that was written into is evicted and reinstalled, never reused", async () => {
    const cacheDir = join(root.path, "cache-corrupt");
    await prepare(worktree(), cacheDir);
    const [entry] = readdirSync(cacheDir).filter((name) => !name.startsWith("."));
    const file = join(cacheDir, entry!, "node_modules/tiny-lib/index.js");
    chmodSync(file, 0o644);
    writeFileSync(file, "module.exports = 'corrupted';\n");
    const next = worktree();
    const { result, logs } = await prepare(next, cacheDir);
    expect(result).toMatchObject({ cacheHit: false });
    expect(logs.join("\n")).toMatch(/changed after it was stored.*evicted/);
    expect((await requires(next, "tiny-lib")).stdout).toBe("42\n");
  });
});

describe("when there is nothing to install, or it cannot be done", () => {
  test("a project without dependencies still installs once, then hits the cache", async () => {
    const template = join(root.path, "no-deps");
    mkdirSync(template);
    writeFileSync(join(template, "package.json"), JSON.stringify({ name: "no-deps", version: "1.0.0", private: true }));
    npm(template, npmCache, ["install", "--package-lock-only", "--ignore-scripts"]);
    const cacheDir = join(root.path, "cache-no-deps");
    expect((await prepare(worktree(template), cacheDir)).result).toMatchObject({ cacheHit: false });
    expect((await prepare(worktree(template), cacheDir)).result).toMatchObject({ cacheHit: true });
  });


  test("no package.json, or package_manager none: skipped, nothing run", async () => {
    const dir = join(root.path, "plain");
    mkdirSync(dir);
    const { result, logs, commands } = await prepare(dir, join(root.path, "cache-skip"));
    expect(result).toBeNull();
    expect(logs).toEqual(["system: dependencies: skipped (no package.json)"]);
    expect(commands).toEqual([]);
    expect((await prepare(worktree(), join(root.path, "cache-skip"), { ...DEFAULT_INSTALL, packageManager: "none" })).result).toBeNull();
    expect(existsSync(join(root.path, "cache-skip"))).toBe(false);
  });

  /** A fake package manager first on PATH: real processes, deterministic behaviour. In the worktree, the sandbox's one visible host directory. */
  function fakeBin(dir: string, name: string, script: string): string {
    const bin = join(dir, `.bin-${++n}`);
    mkdirSync(bin);
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    writeFileSync(join(bin, "client.cjs"), NET_CLIENT);
    return `${bin}:${process.env.PATH}`;
  }

  test("a package manager that does not work on this worker: environment, with the fix", async () => {
    const dir = join(root.path, "pnpm-repo");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), "{}");
    writeFileSync(join(dir, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    const failure = await failureOf(prepare(dir, join(root.path, "cache-pnpm"), DEFAULT_INSTALL, { env: { PATH: fakeBin(dir, "pnpm", "echo 'pnpm: broken' >&2; exit 1") } }));
    expect(failure.failureClass).toBe("environment");
    expect(failure.message).toMatch(/needs pnpm .* `pnpm --version` exited 1 .* install pnpm/);
    expect(failure.evidence.logExcerpt).toContain("pnpm: broken");
  });

  test("an install past install.timeout_seconds is a timeout, and its process group is killed", async () => {
    const dir = worktree();
    const path = fakeBin(dir, "npm", 'if [ "$1" = "--version" ]; then echo 10.0.0; exit 0; fi; echo installing; sleep 30');
    const started = Date.now();
    const failure = await failureOf(prepare(dir, join(root.path, "cache-slow"), { ...DEFAULT_INSTALL, timeoutSeconds: 1 }, { env: { PATH: path } }));
    expect(failure.failureClass).toBe("timeout");
    expect(failure.message).toContain("install.timeout_seconds");
    expect(failure.evidence.logExcerpt).toContain("installing");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test("the install reaches the registry of the user's npm config through the egress proxy, never the host's loopback; the probe gets no network", async () => {
    const registry = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => new Response(`registry saw ${new URL(req.url).pathname}`) });
    const controlPlane = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("control plane") });
    const userNpmrc = join(root.path, "user-npmrc");
    writeFileSync(userNpmrc, `registry=http://127.0.0.1:${registry.port}/\n`);
    const saved = process.env.NPM_CONFIG_USERCONFIG;
    process.env.NPM_CONFIG_USERCONFIG = userNpmrc;
    try {
      // A node one-liner: `get <port>` through the proxy the install's npm config names, `direct <port>` without it.
      const reach = (how: string, port: number | undefined) => `node "$(dirname "$0")/client.cjs" ${how} ${port}`;
      const script = [
        `if [ "$1" = "--version" ]; then ${reach("direct", registry.port)} && exit 1; echo 10.0.0; exit 0; fi`,
        `grep -q "^https-proxy=http://127.0.0.1:" "$NPM_CONFIG_USERCONFIG" && echo "npmrc names the proxy"`,
        reach("get", registry.port),
        reach("get", controlPlane.port),
        reach("direct", controlPlane.port),
        "exit 0",
      ].join("\n");
      const dir = worktree();
      const { logs } = await prepare(dir, join(root.path, "cache-net"), DEFAULT_INSTALL, { env: { ...env, PATH: fakeBin(dir, "npm", script) } });
      expect(logs).toContain("stdout: npmrc names the proxy");
      expect(logs).toContain(`stdout: get ${registry.port}: 200 registry saw /probe`);
      expect(logs).toContain(`stdout: get ${controlPlane.port}: 403`);
      expect(logs).toContain(`stdout: direct ${controlPlane.port}: unreachable`);
      expect(logs.some((l) => l.includes(`refused a connection to 127.0.0.1:${controlPlane.port}`))).toBe(true);
      expect(logs.join("\n")).not.toContain("control plane");

      const offline = worktree();
      const sandbox = resolveSandboxSpec({ writableDir: offline, network: false, settings: DEFAULT_SANDBOX_SETTINGS });
      const cut = await prepare(offline, join(root.path, "cache-net-off"), DEFAULT_INSTALL, { env: { ...env, PATH: fakeBin(offline, "npm", script) }, sandbox });
      expect(cut.logs).toContain(`stdout: get ${registry.port}: unreachable`);
    } finally {
      if (saved === undefined) delete process.env.NPM_CONFIG_USERCONFIG;
      else process.env.NPM_CONFIG_USERCONFIG = saved;
      registry.stop(true);
      controlPlane.stop(true);
    }
  });

  test("a cancelled job stops preparing at once", async () => {
    const controller = new AbortController();
    controller.abort("cancelled");
    const failure = await failureOf(prepare(worktree(), join(root.path, "cache-cancel"), DEFAULT_INSTALL, { signal: controller.signal }));
    expect(failure.failureClass).toBe("cancelled");
  });
});

/** `get <port>`: GET http://127.0.0.1:<port>/probe through the proxy on 127.0.0.1:3128; `direct <port>`: a plain connect. */
const NET_CLIENT = `
const [how, port] = process.argv.slice(2);
const http = require("http");
const net = require("net");
if (how === "direct") {
  net.connect(Number(port), "127.0.0.1").on("connect", () => { console.log("direct " + port + ": connected"); process.exit(0); })
    .on("error", () => { console.log("direct " + port + ": unreachable"); process.exit(1); });
} else {
  http.get({ host: "127.0.0.1", port: 3128, path: "http://127.0.0.1:" + port + "/probe", headers: { host: "127.0.0.1:" + port } }, (res) => {
    let body = ""; res.on("data", (d) => body += d); res.on("end", () => console.log("get " + port + ": " + res.statusCode + (res.statusCode === 200 ? " " + body : "")));
  }).on("error", () => console.log("get " + port + ": unreachable"));
}
`;
