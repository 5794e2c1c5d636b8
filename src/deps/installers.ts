import { existsSync } from "node:fs";
import { join } from "node:path";
import { detectProject } from "../config/detect.ts";
import type { InstallCommand } from "../ecosystems/common/api.ts";
import { FALLBACK_ECOSYSTEM } from "../ecosystems/detect.ts";
import { majorVersion, PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { InstallSettings } from "../config/check-settings.ts";
import { JobFailure } from "../core/job-failure.ts";
import { lockfileOptOut } from "./lockfile-opt-out.ts";

export const DEFAULT_INSTALL: InstallSettings = { packageManager: "auto", allowScripts: false, timeoutSeconds: 600 };

export interface InstallPlan {
  packageManager: EcosystemId;
  /** Relative to the worktree root; null for a repository without a lockfile by design (`unpinned`). */
  lockfile: string | null;
  /** The committed setting that turns the lockfile off ("package-lock=false in .npmrc"): the install resolves the versions. */
  unpinned?: string;
}

export type PlanOutcome = { skip: string } | { plan: InstallPlan };

/**
 * What to install in a worktree: nothing (no package.json, or `install.package_manager = "none"`), or a
 * package manager and its lockfile. A package.json without a lockfile is refused: installing without one
 * would resolve versions afresh, so the job would not check what the developer tested. Unless the
 * repository turns the lockfile off in its committed config (lockfile-opt-out.ts): then the install
 * resolves the versions, and says so.
 */
export function planInstall(dir: string, settings: InstallSettings): PlanOutcome {
  if (settings.packageManager === "none") return { skip: 'install.package_manager is "none"' };
  if (!existsSync(join(dir, PACKAGE_JSON))) return { skip: `no ${PACKAGE_JSON}` };
  const detected = detectProject(dir);
  const packageManager = settings.packageManager === "auto" ? (detected.packageManager ?? FALLBACK_ECOSYSTEM.id) : settings.packageManager;
  const { lockfiles } = getEcosystem(packageManager);
  const lockfile = lockfiles.find((name) => existsSync(join(dir, name)));
  if (lockfile) return { plan: { packageManager, lockfile } };
  const unpinned = lockfileOptOut(dir, packageManager);
  if (unpinned) return { plan: { packageManager, lockfile: null, unpinned } };
  throw noLockfileRefusal(packageManager, settings);
}

export function noLockfileRefusal(packageManager: EcosystemId, settings: InstallSettings, why = ""): JobFailure {
  const expected = getEcosystem(packageManager).lockfiles[0]!;
  const setting = settings.packageManager === "auto" ? "" : ` (install.package_manager is "${packageManager}")`;
  return new JobFailure(
    "invalid_input",
    `package.json has no ${expected}${setting}${why}, so the job cannot install exactly the dependency versions you tested: ` +
      `run ${packageManager} install and commit ${expected} (or set install.package_manager = "none" in .pushpals/config.toml to skip dependency preparation)`,
  );
}

/** The package manager's frozen-lockfile install (see `Ecosystem.frozenInstall`). */
export function installCommand(pm: EcosystemId, pmVersion: string, allowScripts: boolean): InstallCommand {
  return getEcosystem(pm).frozenInstall({ version: pmVersion, allowScripts });
}

/**
 * The install of a repository without a lockfile by design: it resolves versions and writes no lockfile,
 * scripts off unless allowed. null for Yarn 2+, which always writes one.
 */
export function unpinnedInstallCommand(pm: EcosystemId, pmVersion: string, allowScripts: boolean): InstallCommand | null {
  const words = UNPINNED[pm](pmVersion, allowScripts);
  return words ? { command: words.join(" "), env: {} } : null;
}

const UNPINNED: Record<EcosystemId, (version: string, allowScripts: boolean) => string[] | null> = {
  npm: (_v, scripts) => ["npm", "install", "--no-package-lock", ...(scripts ? [] : ["--ignore-scripts"]), "--no-audit", "--no-fund"],
  // CI=true in the sandbox makes pnpm default to a frozen lockfile.
  pnpm: (_v, scripts) => ["pnpm", "install", "--no-frozen-lockfile", "--no-lockfile", ...(scripts ? [] : ["--ignore-scripts", "--ignore-pnpmfile"])],
  yarn: (v, scripts) => (majorVersion(v, 1) < 2 ? ["yarn", "install", "--no-lockfile", "--non-interactive", ...(scripts ? [] : ["--ignore-scripts"])] : null),
  bun: (_v, scripts) => ["bun", "install", "--no-save", ...(scripts ? [] : ["--ignore-scripts"])],
};

/** Prints the package manager's version, then the runtime's (or "none"): both go into the cache key. */
export function versionProbe(pm: EcosystemId): string {
  const ecosystem = getEcosystem(pm);
  return `${ecosystem.versionCommand} && (${ecosystem.runtimeVersionCommand} 2>/dev/null || echo none)`;
}

export function parseVersions(lines: string[]): { pmVersion: string; nodeVersion: string } | null {
  const clean = lines.map((l) => l.trim()).filter(Boolean);
  const pmVersion = clean.find((l) => /^\d+\.\d+/.test(l));
  if (!pmVersion) return null;
  return { pmVersion, nodeVersion: clean.find((l) => /^v\d+\./.test(l) || l === "none") ?? "none" };
}
