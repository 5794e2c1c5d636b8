/**
 * Dependency preparation for a `checks` job: a cold install (`npm ci`, empty PushPals cache) against a
 * cache hit (the cached node_modules mounted read-only), each the median of --runs fresh worktrees.
 * The fixture is small and offline (a folder and a tarball dependency), so the figures are PushPals'
 * overhead plus npm's own start-up, not network time. Commands run in the sandbox, as in a job.
 * --files=N adds N small files to the tarball dependency, to see how a hit scales with node_modules size.
 * Run: bun bench/deps-prepare.ts [--runs=5] [--files=0]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { DEFAULT_INSTALL, versionProbe } from "../src/deps/installers.ts";
import { prepareDependencies } from "../src/deps/prepare.ts";
import { offlineNpmEnv, writeNpmFixture } from "../test/helpers/npm-fixture.ts";
import { resolveSandboxSpec } from "../src/sandbox/resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../src/sandbox/sandbox-settings.ts";
import { runCommand } from "../src/sandbox/run-command.ts";
import { fmt, numArg, verdict } from "./bench-util.ts";

const TARGET_HIT_MS = 1_000;
const runs = Math.max(1, numArg("runs", 5));
const files = numArg("files", 0);
const root = mkdtempSync(join(tmpdir(), "pushpals-bench-deps-"));
const npmCache = join(root, "npm-cache");
const env = offlineNpmEnv(npmCache);
const signal = new AbortController().signal;
let n = 0;

function worktree(template: string): string {
  const dir = join(root, `wt${++n}`);
  const r = Bun.spawnSync(["cp", "-a", template, dir]);
  if (r.exitCode !== 0) throw new Error(`cp -a ${template} ${dir} failed: ${r.stderr.toString()}`);
  return dir;
}

/** `network`: the install network grant, i.e. its own namespace plus the egress proxy and forwarder; without it, no network at all. */
async function prepareOnce(template: string, cacheDir: string, network = true): Promise<{ ms: number; hit: boolean }> {
  const dir = worktree(template);
  const sandbox = resolveSandboxSpec({ writableDir: dir, network, settings: DEFAULT_SANDBOX_SETTINGS });
  const result = await prepareDependencies({ dir, cacheDir, settings: DEFAULT_INSTALL, signal, log: () => {}, env, sandbox });
  rmSync(dir, { recursive: true, force: true });
  if (!result) throw new Error("the fixture has a package.json: preparation should not be skipped");
  return { ms: result.durationMs, hit: result.cacheHit };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (xs: number[]) => `median ${fmt(median(xs)).padStart(5)} ms  (min ${fmt(Math.min(...xs))}, max ${fmt(Math.max(...xs))})`;

try {
  const template = join(root, "template");
  writeNpmFixture(template, npmCache, { tarball: true, tarballFiles: files });
  // Warm npm's own cache and the OS page cache once, so the first measured run is not an outlier.
  await prepareOnce(template, join(root, "warmup"));

  const cold: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await prepareOnce(template, join(root, `cold-${i}`));
    if (r.hit) throw new Error("a fresh cache dir gave a hit");
    cold.push(r.ms);
  }
  const offline: number[] = [];
  for (let i = 0; i < runs; i++) offline.push((await prepareOnce(template, join(root, `offline-${i}`), false)).ms);
  const hitCache = join(root, "hit");
  await prepareOnce(template, hitCache);
  const hits: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await prepareOnce(template, hitCache);
    if (!r.hit) throw new Error("the populated cache gave a miss");
    hits.push(r.ms);
  }
  const probes: number[] = [];
  const probeSandbox = resolveSandboxSpec({ writableDir: template, network: false, settings: DEFAULT_SANDBOX_SETTINGS });
  for (let i = 0; i < runs; i++) {
    probes.push((await runCommand(versionProbe("npm"), { cwd: template, timeoutMs: 60_000, signal, env, onLine: () => {}, sandbox: probeSandbox })).durationMs);
  }

  console.log(`deps-prepare: npm ${runs} runs each, fresh worktree per run (fixture: 1 folder + 1 tarball dependency${files ? ` with ${fmt(files)} extra files` : ""})`);
  console.log(`  cold (npm ci, then cache store)   ${summary(cold)}`);
  console.log(`  cold without the network grant    ${summary(offline)}  (egress proxy + forwarder cost ${fmt(median(cold) - median(offline))} ms)`);
  console.log(`  cache hit (verify + mount)        ${summary(hits)}`);
  console.log(`    of which \`npm --version && node --version\` (cache key) ${summary(probes)}`);
  verdict(median(hits) < TARGET_HIT_MS, `cache hit median ${fmt(median(hits))} ms (target < ${fmt(TARGET_HIT_MS)} ms); cold ${fmt(median(cold))} ms, ${(median(cold) / Math.max(1, median(hits))).toFixed(1)}x slower`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
