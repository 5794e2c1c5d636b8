import { getEcosystem, type EcosystemId } from "../ecosystems/registry.ts";
import type { Requirement } from "./package-manager-requirement.ts";
import type { ProvisionedEntry } from "./provision-cache.ts";

/** Where the package manager a job runs comes from. */
export type PackageManagerChoice =
  /** The Bun PushPals runs on. */
  | { kind: "runtime"; version: string; path: string }
  /** A release PushPals provisioned earlier. */
  | { kind: "entry"; entry: ProvisionedEntry }
  /** The worker's own, on its PATH (no version pinned). */
  | { kind: "path"; path: string }
  /** To fetch from the registry: `<npmPackage>@<version>`, an exact version or a range. */
  | { kind: "provision"; npmPackage: string; version: string }
  /** Nothing PushPals provides: npm, or a package manager nothing says the version of and the worker lacks (the version probe says so). */
  | { kind: "none" };

export interface Availability {
  /** PushPals' own runtime, when it is a package manager (Bun). */
  runtime: { version: string; path: string } | null;
  /** Complete provisioned entries of the package manager, highest version first. */
  entries: ProvisionedEntry[];
  /** Its executable on the worker's PATH, if any. */
  onPath: string | null;
}

/**
 * The one rule, for jobs and for `pushpals doctor` alike. PushPals' Bun whenever its version satisfies what
 * the repository needs. A pinned version: exactly it, provisioned (never a look-alike on PATH). A range (what
 * the lockfile implies, engines): the worker's own on PATH if it has one, else the highest provisioned entry in
 * the range, else the range fetched. Nothing known: the worker's PATH.
 */
export function choosePackageManager(pm: EcosystemId, requirement: Requirement | null, available: Availability): PackageManagerChoice {
  const provision = getEcosystem(pm).provision;
  if (!provision) return { kind: "none" };
  const { runtime } = available;
  if (provision.isRuntime && runtime && (!requirement || Bun.semver.satisfies(runtime.version, requirement.version))) return { kind: "runtime", ...runtime };
  if (!requirement) return available.onPath ? { kind: "path", path: available.onPath } : { kind: "none" };
  if (!requirement.exact && available.onPath) return { kind: "path", path: available.onPath };
  const entry = available.entries.find((e) => (requirement.exact ? e.record.version === requirement.version : Bun.semver.satisfies(e.record.version, requirement.version)));
  if (entry) return { kind: "entry", entry };
  return { kind: "provision", npmPackage: provision.npmPackage(requirement.version), version: requirement.version };
}
