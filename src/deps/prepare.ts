import { rmSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { InstallSettings } from "../config/check-settings.ts";
import type { CommandSandbox } from "../sandbox/sandbox-for.ts";
import { JobFailure } from "../core/job-failure.ts";
import type { CommandReport } from "../sandbox/command-report.ts";
import { runCommand, type RunResult } from "../sandbox/run-command.ts";
import { cacheKey, readManifest, restoreEntry, sha256File, storeEntry, verifyEntry } from "./cache.ts";
import { DEFAULT_INSTALL, installCommand, parseVersions, planInstall, versionProbe, type InstallPlan } from "./installers.ts";

export interface PrepareOptions {
  /** The job's worktree: dependencies are installed into it. */
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
}

const PROBE_TIMEOUT_MS = 60_000;

/**
 * Prepares a fresh worktree's dependencies before the job runs repository commands: a frozen-lockfile
 * install with the detected package manager, or a hard-linked copy of a cached install of the same
 * lockfile. Returns null when there is nothing to prepare; throws JobFailure when it cannot be done.
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
  });
  const elapsed = () => Math.round(performance.now() - started);
  const label = install.command.split(" --")[0];

  if (await restoreFromCache(options, key)) {
    const durationMs = elapsed();
    options.log("system", `dependencies: ${label} (cache hit, ${seconds(durationMs)})`);
    return { packageManager: plan.packageManager, cacheHit: true, durationMs };
  }
  await runInstall(plan, install, settings, options);
  const stored = await storeEntry(options.cacheDir, key, options.dir).catch((err: unknown) => `not cached: ${(err as Error).message}`);
  const note = stored === "stored" ? `cached as ${key}` : stored === "raced" ? "another job cached it first" : stored === "pnp" ? "Yarn Plug'n'Play: nothing to cache" : stored;
  const durationMs = elapsed();
  options.log("system", `dependencies: ${label} (cache miss, ${seconds(durationMs)}; ${note})`);
  return { packageManager: plan.packageManager, cacheHit: false, durationMs };
}

/** A verified entry becomes the worktree's node_modules; a damaged or vanished one means a fresh install. */
async function restoreFromCache(options: PrepareOptions, key: string): Promise<boolean> {
  const manifest = readManifest(options.cacheDir, key);
  if (!manifest) return false;
  if (!verifyEntry(options.cacheDir, manifest)) {
    options.log("system", `dependencies: cache entry ${key} changed after it was stored (a job wrote into it?); evicted, installing afresh`);
    return false;
  }
  try {
    await restoreEntry(options.cacheDir, manifest, options.dir);
    return true;
  } catch (err) {
    // Evicted while we copied it, or a full disk: drop the partial copy so the install starts clean.
    for (const rel of manifest.dirs) rmSync(join(options.dir, rel), { recursive: true, force: true });
    options.log("system", `dependencies: could not use cache entry ${key} (${(err as Error).message}); installing afresh`);
    return false;
  }
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
  options.log("system", `$ ${command}    # dependencies (${plan.lockfile}, cache miss)`);
  const run = await runCommand(command, {
    cwd: options.dir,
    timeoutMs: settings.timeoutSeconds * 1000,
    signal: options.signal,
    env: { ...install.env, ...options.env },
    onLine: (stream, line) => options.log(stream, line),
    sandbox: options.sandbox,
    // npm prints its usage (about 90 lines) after the error that matters: keep enough to include it.
    tailLines: 200,
  });
  await options.recordCommand?.({ command, exitCode: run.exitCode, signal: run.signal, durationMs: run.durationMs }).catch(() => {});
  if (run.aborted) throw new JobFailure("cancelled", "stopped while installing dependencies", { command });
  const evidence = evidenceOf(command, run);
  if (run.outputLimited) throw new JobFailure("environment", `\`${command}\` printed more than the output limit (sandbox.max_output_mb) and was stopped`, evidence);
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
