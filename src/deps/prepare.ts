import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { InstallSettings } from "../config/check-settings.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import type { ReadOnlyMount } from "../sandbox/sandbox-spec.ts";
import { JobFailure } from "../core/job-failure.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { outOfMemoryFailure } from "../sandbox/out-of-memory.ts";
import { runCommand, type RunResult } from "../sandbox/run-command.ts";
import type { EgressDecision } from "../egress/proxy.ts";
import { installSandbox } from "./install-sandbox.ts";
import { installInputsSha256 } from "./install-inputs.ts";
import { cacheKey, evictEntry, findNodeModules, readManifest, restoreEntry, SCRATCH_DIRS, sha256File, storeEntry, verifyEntry, type Manifest } from "./cache.ts";
import { DEFAULT_INSTALL, installCommand, parseVersions, planInstall, versionProbe, type InstallPlan } from "./installers.ts";

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
}

export interface DependenciesResult {
  packageManager: EcosystemId;
  cacheHit: boolean;
  durationMs: number;
  /** The cached `node_modules` dirs every later sandboxed command in the checkout sees, read-only. */
  mounts: ReadOnlyMount[];
}

const PROBE_TIMEOUT_MS = 60_000;

/**
 * Prepares a fresh checkout's dependencies before the job runs repository commands: a cached install of
 * the same lockfile (mounted read-only in the sandbox), or a frozen-lockfile install with the detected
 * package manager, stored in the cache when it is clean. Returns null when there is nothing to prepare;
 * throws JobFailure when it cannot be done.
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
  const versions = await probeVersions(plan.packageManager, options);
  const install = installCommand(plan.packageManager, versions.pmVersion, settings.allowScripts);
  const key = cacheKey(plan.packageManager, {
    pmVersion: versions.pmVersion,
    nodeVersion: versions.nodeVersion,
    platform: `${process.platform}-${process.arch}`,
    allowScripts: settings.allowScripts,
    lockfile: plan.lockfile,
    lockfileSha256: sha256File(join(options.dir, plan.lockfile)),
    packageJsonSha256: sha256File(join(options.dir, PACKAGE_JSON)),
    installInputsSha256: installInputsSha256(options.dir),
  });
  const elapsed = () => Math.round(performance.now() - started);
  const label = install.command.split(" --")[0];

  // A fresh checkout has a node_modules dir before the install only where the commit tracks files in one:
  // then the install's result is part commit, part install, and it is neither taken from nor given to the cache.
  const tracked = findNodeModules(options.dir);
  if (tracked.length > 0) options.log("system", `dependencies: the commit tracks files under ${tracked.join(", ")}, so the dependency cache is not used`);
  const hit = tracked.length === 0 ? await restoreFromCache(options, key) : null;
  if (hit) {
    const durationMs = elapsed();
    options.log("system", `dependencies: ${label} (cache hit, ${seconds(durationMs)})`);
    return { packageManager: plan.packageManager, cacheHit: true, durationMs, mounts: hit };
  }
  await runInstall(plan, install, settings, options);
  let mounts: ReadOnlyMount[] = [];
  let note = "not cached";
  if (tracked.length === 0) {
    const move = options.sandbox !== "off";
    const installed = findNodeModules(options.dir);
    const stored = await storeEntry(options.cacheDir, key, options.dir, installed, { move }).catch((err: unknown) => `not cached: ${(err as Error).message}`);
    note = stored === "stored" ? `cached as ${key}` : stored === "raced" ? "another job cached it first" : stored === "pnp" ? "Yarn Plug'n'Play: nothing to cache" : stored;
    const manifest = stored === "stored" ? readManifest(options.cacheDir, key) : null;
    // Moved into the cache: the checkout now sees the entry read-only, like a hit.
    if (manifest && move) mounts = mountsOf(options.cacheDir, manifest);
  }
  const durationMs = elapsed();
  options.log("system", `dependencies: ${label} (cache miss, ${seconds(durationMs)}; ${note})`);
  return { packageManager: plan.packageManager, cacheHit: false, durationMs, mounts };
}

/**
 * A verified entry: mounted read-only into the checkout by the sandbox (nothing copied), or with the
 * sandbox off a hard-linked copy. A damaged or vanished entry means a fresh install (null).
 */
async function restoreFromCache(options: PrepareOptions, key: string): Promise<ReadOnlyMount[] | null> {
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

async function probeVersions(pm: EcosystemId, options: PrepareOptions): Promise<{ pmVersion: string; nodeVersion: string }> {
  const command = versionProbe(pm);
  const sandbox = options.sandbox === "off" ? "off" : { ...options.sandbox, network: false };
  const run = await runCommand(command, { cwd: options.dir, timeoutMs: PROBE_TIMEOUT_MS, signal: options.signal, env: options.env, onLine: () => {}, sandbox });
  if (run.aborted) throw new JobFailure("cancelled", `stopped while checking the ${pm} version`, { command });
  const versions = run.exitCode === 0 ? parseVersions(run.tail) : null;
  if (versions) return versions;
  const { setupHint, versionCommand } = getEcosystem(pm);
  const why = run.timedOut ? `did not answer within ${PROBE_TIMEOUT_MS / 1000} s` : run.exitCode === 127 ? "is not installed (command not found)" : `exited ${run.exitCode ?? run.signal} without printing a version`;
  throw new JobFailure(
    "environment",
    `the repository needs ${pm} to install its dependencies, but \`${versionCommand}\` ${why} on this worker: ` +
      `install ${pm} on the worker's PATH${setupHint ? ` (${setupHint})` : ""}, or set install.package_manager in .pushpals/config.toml`,
    evidenceOf(command, run),
  );
}

async function runInstall(plan: InstallPlan, install: { command: string; env: Record<string, string> }, settings: InstallSettings, options: PrepareOptions): Promise<void> {
  const { command } = install;
  const confined = await installSandbox(options.sandbox, options.dir, { packageManager: plan.packageManager, allowScripts: settings.allowScripts, log: (line) => options.log("system", line) });
  options.log("system", `$ ${command}    # dependencies (${plan.lockfile}, cache miss)`);
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
  throw new JobFailure(
    "environment",
    `installing dependencies failed: \`${command}\` exited ${run.exitCode ?? run.signal} (its last lines are in the evidence); ` +
      `if ${plan.lockfile} is out of date, run ${plan.packageManager} install and commit it, otherwise check the registry and network`,
    evidence,
  );
}

function evidenceOf(command: string, run: RunResult) {
  return { command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs, logExcerpt: run.tail.join("\n").slice(-16_000) };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
