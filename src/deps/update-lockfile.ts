import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import { DEFAULT_INSTALL, planInstall } from "./installers.ts";
import { providePackageManager, withTools } from "./package-manager-tools.ts";
import { probeVersions, runInstall, type PrepareOptions } from "./prepare.ts";

export interface LockfileUpdated {
  packageManager: EcosystemId;
  /** Relative to the checkout; null for a repository without a lockfile by design (nothing to regenerate). */
  lockfile: string | null;
  pmVersion: string;
}

/**
 * Regenerates a checkout's lockfile from its (edited) manifests with the repository's own package manager,
 * in the install sandbox: its registries only, through the egress proxy, lifecycle scripts off whatever
 * the repository allows (an update is resolved, never built), and the package manager's lockfile-only
 * mode where it has one (`Ecosystem.lockfileUpdate`). Throws JobFailure like an install.
 */
export async function updateLockfile(options: PrepareOptions): Promise<LockfileUpdated> {
  const settings = { ...(options.settings ?? DEFAULT_INSTALL), allowScripts: false };
  const outcome = planInstall(options.dir, settings);
  if ("skip" in outcome) throw new Error(`updateLockfile: nothing to install (${outcome.skip})`);
  const { plan } = outcome;
  const tools = await providePackageManager(plan, { ...options, timeoutSeconds: settings.timeoutSeconds });
  const withPm = withTools(options, tools);
  const { pmVersion } = await probeVersions(plan.packageManager, withPm, tools.source);
  if (plan.lockfile === null) return { packageManager: plan.packageManager, lockfile: null, pmVersion };
  const command = getEcosystem(plan.packageManager).lockfileUpdate(pmVersion);
  await runInstall(plan, command, settings, withPm);
  return { packageManager: plan.packageManager, lockfile: plan.lockfile, pmVersion };
}
