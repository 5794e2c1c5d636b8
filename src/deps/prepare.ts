import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { InstallSettings } from "../config/check-settings.ts";
import { DEFAULT_CONFIG } from "../config/schema.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import type { ReadOnlyMount } from "../sandbox/sandbox-spec.ts";
import { JobFailure } from "../core/job-failure.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { outOfMemoryFailure } from "../sandbox/out-of-memory.ts";
import { runCommand, type RunResult } from "../sandbox/run-command.ts";
import type { EgressDecision } from "../egress/proxy.ts";
import { installSandbox } from "./install-sandbox.ts";
import { providePackageManager, withTools, type PackageManagerTools } from "./package-manager-tools.ts";
import { installInputsSha256 } from "./install-inputs.ts";
import { manifestsSha256 } from "./install-manifests.ts";
import { cacheKey, evictEntry, findNodeModules, readManifest, restoreEntry, SCRATCH_DIRS, sha256File, storeEntry, verifyEntry, type Manifest } from "./cache.ts";
import { keepCacheUnder, keepCacheUnderOnce } from "./cache-evict.ts";
import { leaseEntry, releaseLease, touchEntry } from "./cache-lease.ts";
import { failedInstall } from "./failed-install.ts";
import { DEFAULT_INSTALL, installCommand, noLockfileRefusal, parseVersions, planInstall, unpinnedInstallCommand, versionProbe, type InstallPlan } from "./installers.ts";

export interface PrepareOptions {
  /** A fresh checkout of the job's commit, where no job command has run yet. */
  dir: string;
  /** `RuntimePaths.depsCacheDir`. */
  cacheDir: string;
  settings?: InstallSettings;
  signal: AbortSignal;
  log: (stream: "stdout" | "stderr" | "system", line: string) => void;
  recordCommand?: (report: CommandReport) => Promise<void>;
  /** Extra environment for the package manager, on top of the scrubbed command environment. */
  env?: Record<string, string>;
  /** The install's sandbox (`sandboxFor(ctx, dir, { network: sandbox.install_network })`); the version probe never gets the network. */
  sandbox: CommandSandbox;
  /** The worker's `install.cache_max_mb`: least recently used entries not in use are evicted past it. */
  cacheMaxMb?: number;
}

export interface DependenciesResult {
  packageManager: EcosystemId;
  cacheHit: boolean;
  durationMs: number;
  /** The cached `node_modules` dirs every later sandboxed command in the checkout sees, read-only. */
  mounts: ReadOnlyMount[];
  /**
   * Set when the repository has no lockfile by design (the setting, e.g. "package-lock=false in .npmrc"):
   * the versions were resolved at install time, nothing pinned them, and nothing was cached.
   */
  unpinned?: string;
  /**
   * The package manager PushPals provided (its own Bun, a provisioned release): later sandboxed commands in
   * the checkout find it first on PATH when they get it too (`withTools`). No files and no `source`: the worker's own ran.
   */
  tools?: PackageManagerTools;
}

const PROBE_TIMEOUT_MS = 60_000;

/**
 * Prepares a fresh checkout's dependencies before the job runs repository commands: a cached install of
 * the same lockfile (mounted read-only in the sandbox), or a frozen-lockfile install with the detected
 * package manager, stored in the cache when it is clean. A repository without a lockfile by design gets
 * an install that resolves the versions itself, never cached. Returns null when there is nothing to
 * prepare; throws JobFailure when it cannot be done.
 */
export async function prepareDependencies(options: PrepareOptions): Promise<DependenciesResult | null> {
  const started = performance.now();
  const settings = options.settings ?? DEFAULT_INSTALL;
  const outcome = planInstall(options.dir, settings);
  if ("skip" in outcome) {
    options.log("system", `dependencies: skipped (${outcome.skip})`);
    return null;
  }
  const { plan } = outcome;
  const tools = await providePackageManager(plan, { ...options, timeoutSeconds: settings.timeoutSeconds });
  options = withTools(options, tools);
  const versions = await probeVersions(plan.packageManager, options, tools.source);
  if (plan.lockfile === null) return { ...(await prepareUnpinned(plan, versions.pmVersion, settings, options, started)), tools };
  const install = installCommand(plan.packageManager, versions.pmVersion, settings.allowScripts);
  const key = cacheKey(plan.packageManager, {
    pmVersion: versions.pmVersion,
    nodeVersion: versions.nodeVersion,
    platform: `${process.platform}-${process.arch}`,
    allowScripts: settings.allowScripts,
    lockfile: plan.lockfile,
    lockfileSha256: sha256File(join(options.dir, plan.lockfile)),
    manifestsSha256: manifestsSha256(options.dir, { allowScripts: settings.allowScripts }),
    installInputsSha256: installInputsSha256(options.dir),
  });
  const elapsed = () => Math.round(performance.now() - started);
  const label = install.command.split(" --")[0];

  // A fresh checkout has a node_modules dir before the install only where the commit tracks files in one:
  // then the install's result is part commit, part install, and it is neither taken from nor given to the cache.
  const tracked = findNodeModules(options.dir);
  const cacheMaxMb = options.cacheMaxMb ?? DEFAULT_CONFIG.install.cache_max_mb;
  keepCacheUnderOnce(options.cacheDir, cacheMaxMb, (line) => options.log("system", line));
  if (tracked.length > 0) options.log("system", `dependencies: the commit tracks files under ${tracked.join(", ")}, so the dependency cache is not used`);
  const hit = tracked.length === 0 ? await restoreFromCache(options, key) : null;
  if (hit) {
    const durationMs = elapsed();
    options.log("system", `dependencies: ${label} (cache hit, ${seconds(durationMs)})`);
    return { packageManager: plan.packageManager, cacheHit: true, durationMs, mounts: hit, tools };
  }
  await runInstall(plan, install, settings, options);
  let mounts: ReadOnlyMount[] = [];
  let note = "not cached";
  if (tracked.length === 0) {
    const move = options.sandbox !== "off";
    const installed = findNodeModules(options.dir);
    // Held before the entry exists: an entry this checkout mounts is never evicted under it.
    if (move) leaseEntry(options.cacheDir, key, options.dir);
    const stored = await storeEntry(options.cacheDir, key, options.dir, installed, { move }).catch((err: unknown) => `not cached: ${(err as Error).message}`);
    note = stored === "stored" ? `cached as ${key}` : stored === "raced" ? "another job cached it first" : stored === "pnp" ? "Yarn Plug'n'Play: nothing to cache" : stored;
    const manifest = stored === "stored" ? readManifest(options.cacheDir, key) : null;
    // Moved into the cache: the checkout now sees the entry read-only, like a hit.
    if (manifest && move) mounts = mountsOf(options.cacheDir, manifest);
    if (mounts.length === 0) releaseLease(options.cacheDir, key, options.dir);
    if (stored === "stored") keepCacheUnder(options.cacheDir, cacheMaxMb, (line) => options.log("system", line));
  }
  const durationMs = elapsed();
  options.log("system", `dependencies: ${label} (cache miss, ${seconds(durationMs)}; ${note})`);
  return { packageManager: plan.packageManager, cacheHit: false, durationMs, mounts, tools };
}

/**
 * A hit holds a lease on its entry while its checkout mounts it (cache-lease.ts) and counts as the
 * entry's last use; an entry being evicted is a miss.
 */
async function restoreFromCache(options: PrepareOptions, key: string): Promise<ReadOnlyMount[] | null> {
  if (!existsSync(join(options.cacheDir, key)) || !leaseEntry(options.cacheDir, key, options.dir)) return null;
  const mounts = await useEntry(options, key);
  if (mounts !== null) touchEntry(options.cacheDir, key);
  if (mounts === null || mounts.length === 0) releaseLease(options.cacheDir, key, options.dir);
  return mounts;
}

/**
 * A verified entry: mounted read-only into the checkout by the sandbox (nothing copied), or with the
 * sandbox off a hard-linked copy. A damaged or vanished entry means a fresh install (null).
 */
async function useEntry(options: PrepareOptions, key: string): Promise<ReadOnlyMount[] | null> {
  const manifest = readManifest(options.cacheDir, key);
  if (!manifest) {
    // An entry of an older format (or a broken one) would make every store of this key look like a lost race.
    if (existsSync(join(options.cacheDir, key))) evictEntry(options.cacheDir, key);
    return null;
  }
  if (!verifyEntry(options.cacheDir, manifest)) {
    options.log("system", `dependencies: cache entry ${key} changed after it was stored; evicted, installing afresh`);
    return null;
  }
  if (options.sandbox !== "off") return mountsOf(options.cacheDir, manifest);
  try {
    await restoreEntry(options.cacheDir, manifest, options.dir);
    return [];
  } catch (err) {
    // Evicted while we copied it, or a full disk: drop the partial copy so the install starts clean.
    for (const rel of manifest.dirs) rmSync(join(options.dir, rel), { recursive: true, force: true });
    options.log("system", `dependencies: could not use cache entry ${key} (${(err as Error).message}); installing afresh`);
    return null;
  }
}

function mountsOf(cacheDir: string, manifest: Manifest): ReadOnlyMount[] {
  const entry = join(cacheDir, manifest.key);
  return manifest.dirs.filter((rel) => existsSync(join(entry, rel))).map((rel) => ({ source: join(entry, rel), target: rel, scratch: SCRATCH_DIRS }));
}

/** `source`: where PushPals got the package manager from, when it provided one (see package-manager-tools.ts). */
export async function probeVersions(pm: EcosystemId, options: PrepareOptions, source: string | null): Promise<{ pmVersion: string; nodeVersion: string }> {
  const command = versionProbe(pm);
  const sandbox = options.sandbox === "off" ? "off" : { ...options.sandbox, network: false };
  const run = await runCommand(command, { cwd: options.dir, timeoutMs: PROBE_TIMEOUT_MS, signal: options.signal, env: options.env, onLine: () => {}, sandbox });
  if (run.aborted) throw new JobFailure("cancelled", `stopped while checking the ${pm} version`, { command });
  const versions = run.exitCode === 0 ? parseVersions(run.tail) : null;
  if (versions) return versions;
  const { setupHint, versionCommand } = getEcosystem(pm);
  const why = run.timedOut ? `did not answer within ${PROBE_TIMEOUT_MS / 1000} s` : run.exitCode === 127 ? "is not installed (command not found)" : `exited ${run.exitCode ?? run.signal} without printing a version`;
  if (source) {
    throw new JobFailure("environment", `the repository needs ${pm}, and PushPals provided ${source}, but \`${versionCommand}\` ${why} there (its last lines are in the evidence): if it needs a newer Node.js than the worker's, upgrade Node.js or pin another version`, evidenceOf(command, run));
  }
  throw new JobFailure(
    "environment",
    `the repository needs ${pm} to install its dependencies, but \`${versionCommand}\` ${why} on this worker: ` +
      `${setupHint ? `${setupHint}; or install ${pm} on the worker's PATH` : `install ${pm} on the worker's PATH`}, or set install.package_manager in .pushpals/config.toml`,
    evidenceOf(command, run),
  );
}

/** A repository without a lockfile by design: the install resolves the versions, so it pins nothing and is never cached. */
async function prepareUnpinned(plan: InstallPlan, pmVersion: string, settings: InstallSettings, options: PrepareOptions, started: number): Promise<DependenciesResult> {
  const install = unpinnedInstallCommand(plan.packageManager, pmVersion, settings.allowScripts);
  if (!install) throw noLockfileRefusal(plan.packageManager, settings, ` (${plan.unpinned} turns it off, but ${plan.packageManager} ${pmVersion} always installs from one)`);
  options.log("system", `dependencies: no lockfile by design (${plan.unpinned}): the versions are resolved at install time, not pinned by the commit`);
  await runInstall(plan, install, settings, options);
  const durationMs = Math.round(performance.now() - started);
  options.log("system", `dependencies: ${install.command.split(" --")[0]} (no lockfile, versions resolved at install time, ${seconds(durationMs)}; not cached)`);
  return { packageManager: plan.packageManager, cacheHit: false, durationMs, mounts: [], unpinned: plan.unpinned };
}

export async function runInstall(plan: InstallPlan, install: { command: string; env: Record<string, string> }, settings: InstallSettings, options: PrepareOptions): Promise<void> {
  const { command } = install;
  const confined = await installSandbox(options.sandbox, options.dir, { packageManager: plan.packageManager, allowScripts: settings.allowScripts, log: (line) => options.log("system", line) });
  options.log("system", `$ ${command}    # dependencies (${plan.lockfile ? `${plan.lockfile}, cache miss` : `no lockfile: ${plan.unpinned}`})`);
  let run: RunResult;
  let denied: EgressDecision[];
  let unreachable: EgressDecision[];
  try {
    run = await runCommand(command, {
      cwd: options.dir,
      timeoutMs: settings.timeoutSeconds * 1000,
      signal: options.signal,
      env: { ...install.env, ...options.env, ...confined.env },
      onLine: (stream, line) => options.log(stream, line),
      sandbox: confined.sandbox,
      // npm prints its usage (about 90 lines) after the error that matters: keep enough to include it.
      tailLines: 200,
    });
    denied = confined.denied();
    unreachable = confined.unreachable();
  } finally {
    await confined.close();
  }
  for (const d of unreachable) options.log("system", `dependencies: could not reach ${d.host}:${d.port} (${d.reason})`);
  for (const d of denied) options.log("system", `dependencies: refused a connection to ${d.host}:${d.port} (${d.reason})`);
  await options.recordCommand?.({ command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  if (run.aborted) throw new JobFailure("cancelled", "stopped while installing dependencies", { command });
  const evidence = evidenceOf(command, run);
  if (run.exitCode !== 0 && denied.length > 0) {
    const hosts = [...new Set(denied.map((d) => `${d.host}:${d.port}`))].join(", ");
    throw new JobFailure(
      "policy_denied",
      `\`${command}\` failed after trying to reach ${hosts}, which is not a configured package registry: an install reaches only the registries of your npm configuration (~/.npmrc or NPM_CONFIG_USERCONFIG) and the public npm registry`,
      evidence,
    );
  }
  if (run.outputLimited) throw new JobFailure("environment", `\`${command}\` printed more than the output limit (sandbox.max_output_mb) and was stopped`, evidence);
  if (run.outOfMemory) throw outOfMemoryFailure(`installing dependencies (\`${command}\`)`, confined.sandbox, evidence);
  if (run.timedOut) {
    throw new JobFailure("timeout", `\`${command}\` ran past the ${settings.timeoutSeconds} s install time limit: raise install.timeout_seconds in .pushpals/config.toml, or check the registry is reachable`, evidence);
  }
  if (run.exitCode === 0) return;
  throw failedInstall(command, run, plan, evidence);
}

function evidenceOf(command: string, run: RunResult) {
  return { command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
