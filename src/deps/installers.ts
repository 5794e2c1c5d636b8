import { existsSync } from "node:fs";
import { join } from "node:path";
import { detectProject, type PackageManager } from "../config/detect.ts";
import type { InstallSettings } from "../jobs/kinds.ts";
import { JobFailure } from "../core/job-failure.ts";

/** The lockfiles each package manager installs from, preferred first (the first is the one to commit). */
export const LOCKFILES: Record<PackageManager, string[]> = {
  npm: ["package-lock.json", "npm-shrinkwrap.json"],
  pnpm: ["pnpm-lock.yaml"],
  yarn: ["yarn.lock"],
  bun: ["bun.lock", "bun.lockb"],
};

export const DEFAULT_INSTALL: InstallSettings = { packageManager: "auto", allowScripts: false, timeoutSeconds: 600 };

export interface InstallPlan {
  packageManager: PackageManager;
  /** Relative to the worktree root. */
  lockfile: string;
}

export type PlanOutcome = { skip: string } | { plan: InstallPlan };

/**
 * What to install in a worktree: nothing (no package.json, or `install.package_manager = "none"`), or a
 * package manager and its lockfile. A package.json without a lockfile is refused: installing without one
 * would resolve versions afresh, so the job would not check what the developer tested.
 */
export function planInstall(dir: string, settings: InstallSettings): PlanOutcome {
  if (settings.packageManager === "none") return { skip: 'install.package_manager is "none"' };
  if (!existsSync(join(dir, "package.json"))) return { skip: "no package.json" };
  const detected = detectProject(dir);
  const packageManager = settings.packageManager === "auto" ? (detected.packageManager ?? "npm") : settings.packageManager;
  const lockfile = LOCKFILES[packageManager].find((name) => existsSync(join(dir, name)));
  if (lockfile) return { plan: { packageManager, lockfile } };
  const expected = LOCKFILES[packageManager][0]!;
  const why = settings.packageManager === "auto" ? "" : ` (install.package_manager is "${packageManager}")`;
  throw new JobFailure(
    "invalid_input",
    `package.json has no ${expected}${why}, so the job cannot install exactly the dependency versions you tested: ` +
      `run ${packageManager} install and commit ${expected} (or set install.package_manager = "none" in .pushpals/config.toml to skip dependency preparation)`,
  );
}

export interface InstallCommand {
  /** The shell command line (fixed words only: nothing from the repository is interpolated). */
  command: string;
  /** Extra environment for the installer, on top of the scrubbed command environment. */
  env: Record<string, string>;
}

/**
 * The frozen-lockfile install for each package manager: it fails instead of changing the lockfile, and
 * runs no lifecycle scripts (postinstall...: arbitrary code from every dependency) unless allowed.
 */
export function installCommand(pm: PackageManager, pmVersion: string, allowScripts: boolean): InstallCommand {
  const noScripts = allowScripts ? [] : ["--ignore-scripts"];
  switch (pm) {
    case "npm":
      return { command: ["npm", "ci", ...noScripts, "--no-audit", "--no-fund"].join(" "), env: {} };
    case "pnpm":
      return { command: ["pnpm", "install", "--frozen-lockfile", ...noScripts].join(" "), env: {} };
    case "bun":
      return { command: ["bun", "install", "--frozen-lockfile", ...noScripts].join(" "), env: {} };
    case "yarn":
      return yarnCommand(pmVersion, allowScripts);
  }
}

/** Yarn 1 takes `--frozen-lockfile --ignore-scripts`; Yarn 2+ (berry) `--immutable`, and skips builds with `--mode=skip-build`. */
function yarnCommand(version: string, allowScripts: boolean): InstallCommand {
  const major = Number(/^(\d+)\./.exec(version)?.[1] ?? "1");
  if (major < 2) return { command: ["yarn", "install", "--frozen-lockfile", "--non-interactive", ...(allowScripts ? [] : ["--ignore-scripts"])].join(" "), env: {} };
  if (allowScripts) return { command: "yarn install --immutable", env: {} };
  return { command: "yarn install --immutable --mode=skip-build", env: { YARN_ENABLE_SCRIPTS: "false" } };
}

/** Prints the package manager's version, then Node's (or "none"): both go into the cache key. */
export function versionProbe(pm: PackageManager): string {
  return `${pm} --version && (node --version 2>/dev/null || echo none)`;
}

export function parseVersions(lines: string[]): { pmVersion: string; nodeVersion: string } | null {
  const clean = lines.map((l) => l.trim()).filter(Boolean);
  const pmVersion = clean.find((l) => /^\d+\.\d+/.test(l));
  if (!pmVersion) return null;
  return { pmVersion, nodeVersion: clean.find((l) => /^v\d+\./.test(l) || l === "none") ?? "none" };
}
