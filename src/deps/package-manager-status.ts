import type { InstallSettings } from "../config/check-settings.ts";
import { JobFailure } from "../core/job-failure.ts";
import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import { DEFAULT_INSTALL, planInstall } from "./installers.ts";
import { choosePackageManager, type PackageManagerChoice } from "./package-manager-choice.ts";
import { packageManagerRequirement, type Requirement } from "./package-manager-requirement.ts";
import { availability } from "./package-manager-tools.ts";
import { packageManagersDir } from "./provision-cache.ts";

/** Where the package manager jobs will run comes from, as `pushpals doctor` says it. */
export type PackageManagerSource =
  | { kind: "none_needed"; why: string }
  | { kind: "runtime"; version: string; path: string }
  | { kind: "provisioned"; version: string; dir: string }
  | { kind: "path"; path: string }
  | { kind: "will_provision"; release: string }
  | { kind: "missing" }
  | { kind: "unreadable"; problem: string };

export interface PackageManagerStatus {
  /** null when jobs install nothing (no package.json, `install.package_manager = "none"`). */
  packageManager: EcosystemId | null;
  /** The version the repository needs (a pin, or a range its lockfile or engines imply); null when nothing says. */
  required: Pick<Requirement, "version" | "exact" | "source"> | null;
  available: PackageManagerSource;
  /** "warn" when the first job would fail on it. */
  level: "ok" | "warn";
  /** One line for people: what is needed and what will serve it. */
  summary: string;
  /** How to fix it, when `level` is "warn". */
  fix?: string;
}

export interface StatusRequest {
  repoRoot: string;
  runtimeDir: string;
  install?: InstallSettings;
  /** `sandbox.install_network`: without it nothing can be fetched. */
  installNetwork?: boolean;
}

/**
 * For `pushpals doctor`: the package manager the repository's jobs install with, the version they need and
 * what will serve it (PushPals' own Bun, a provisioned release, the worker's PATH, or a release fetched on
 * the first job), decided by the same rule jobs use (`choosePackageManager`). Reads files only.
 */
export function packageManagerStatus(request: StatusRequest): PackageManagerStatus {
  let plan;
  let requirement: Requirement | null;
  try {
    const outcome = planInstall(request.repoRoot, request.install ?? DEFAULT_INSTALL);
    if ("skip" in outcome) return { packageManager: null, required: null, available: { kind: "none_needed", why: outcome.skip }, level: "ok", summary: `dependencies: none to install (${outcome.skip})` };
    plan = outcome.plan;
    requirement = packageManagerRequirement(request.repoRoot, plan.packageManager, plan.lockfile);
  } catch (err) {
    if (!(err instanceof JobFailure)) throw err;
    return { packageManager: plan?.packageManager ?? null, required: null, available: { kind: "unreadable", problem: err.message }, level: "warn", summary: err.message, fix: "fix the repository as the message says: every job would fail on it" };
  }
  const pm = plan.packageManager;
  const choice = choosePackageManager(pm, requirement, availability(packageManagersDir(request.runtimeDir), pm, process.env.PATH));
  const required = requirement ? { version: requirement.version, exact: requirement.exact, source: requirement.source } : null;
  const needs = requirement ? `${pm} ${requirement.version} (${requirement.source})` : pm;
  return { packageManager: pm, required, ...describe(pm, needs, choice, request) };
}

function describe(pm: EcosystemId, needs: string, choice: PackageManagerChoice, request: StatusRequest): Pick<PackageManagerStatus, "available" | "level" | "summary" | "fix"> {
  switch (choice.kind) {
    case "runtime":
      return { available: { kind: "runtime", version: choice.version, path: choice.path }, level: "ok", summary: `${needs}: PushPals' own Bun ${choice.version}` };
    case "entry":
      return { available: { kind: "provisioned", version: choice.entry.record.version, dir: choice.entry.dir }, level: "ok", summary: `${needs}: provisioned in ${choice.entry.dir}` };
    case "path":
      return { available: { kind: "path", path: choice.path }, level: "ok", summary: `${needs}: the worker's own (${choice.path})` };
    case "provision": {
      const release = `${choice.npmPackage}@${choice.version}`;
      const available = { kind: "will_provision" as const, release };
      if (request.installNetwork === false) {
        return { available, level: "warn", summary: `${needs}: not provisioned, and installs have no network to fetch ${release}`, fix: "set sandbox.install_network = true (PushPals fetches it once from your npm registry)" };
      }
      return { available, level: "ok", summary: `${needs}: will be provisioned on the first job (${release} from your npm registry, into ${packageManagersDir(request.runtimeDir)})` };
    }
    case "none": {
      if (!getEcosystem(pm).provision) return { available: { kind: "none_needed", why: `${pm} comes with Node.js` }, level: "ok", summary: `${needs}: the worker's own (it comes with Node.js)` };
      return { available: { kind: "missing" }, level: "warn", summary: `${needs}: not on the worker's PATH, and nothing in the repository says which version to provision`, fix: getEcosystem(pm).setupHint ?? `install ${pm} on the worker's PATH` };
    }
  }
}
