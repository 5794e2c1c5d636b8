import { JobFailure } from "../core/job-failure.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import { DEFAULT_INSTALL, planInstall, type InstallPlan } from "./installers.ts";
import { providePackageManager, withTools, type PackageManagerTools } from "./package-manager-tools.ts";
import { probeVersions, runInstall, type PrepareOptions } from "./prepare.ts";

export interface LockfileUpdated {
  packageManager: EcosystemId;
  /** Relative to the checkout; null for a repository without a lockfile by design (nothing to regenerate). */
  lockfile: string | null;
  pmVersion: string;
}

/** What a lockfile update runs with, decided once, before any command ran in the checkout. */
export interface LockfileUpdatePlan {
  plan: InstallPlan;
  tools: PackageManagerTools;
  pmVersion: string;
}

/**
 * Regenerates a checkout's lockfile from its (edited) manifests with the repository's own package manager,
 * in the install sandbox: its registries only, through the egress proxy, lifecycle scripts off whatever
 * the repository allows (an update is resolved, never built), and the package manager's lockfile-only
 * mode where it has one (`Ecosystem.lockfileUpdate`). Throws JobFailure like an install.
 */
export async function updateLockfile(options: PrepareOptions): Promise<LockfileUpdated> {
  return runLockfileUpdate(await planLockfileUpdate(options), options);
}

/**
 * Which package manager, lockfile and version: read from the checkout, so only before any command ran in
 * it (a second run reuses this, never what the first one left: a planted lockfile or `packageManager`
 * would pick another package manager, one that gets the registry credentials).
 */
export async function planLockfileUpdate(options: PrepareOptions): Promise<LockfileUpdatePlan> {
  const settings = { ...(options.settings ?? DEFAULT_INSTALL), allowScripts: false };
  const outcome = planInstall(options.dir, settings);
  if ("skip" in outcome) throw new JobFailure("invalid_input", `the lockfile cannot be regenerated: ${outcome.skip}`, {});
  const tools = await providePackageManager(outcome.plan, { ...options, timeoutSeconds: settings.timeoutSeconds });
  const { pmVersion } = await probeVersions(outcome.plan.packageManager, withTools(options, tools), tools.source);
  return { plan: outcome.plan, tools, pmVersion };
}

export async function runLockfileUpdate(prepared: LockfileUpdatePlan, options: PrepareOptions): Promise<LockfileUpdated> {
  const { plan, tools, pmVersion } = prepared;
  const settings = { ...(options.settings ?? DEFAULT_INSTALL), allowScripts: false };
  if (plan.lockfile === null) return { packageManager: plan.packageManager, lockfile: null, pmVersion };
  const command = getEcosystem(plan.packageManager).lockfileUpdate(pmVersion);
  await runInstall(plan, command, settings, withTools(options, tools));
  return { packageManager: plan.packageManager, lockfile: plan.lockfile, pmVersion };
}
