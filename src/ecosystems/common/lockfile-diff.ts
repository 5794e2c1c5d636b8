import type { LockedPackage } from "./lockfile.ts";
import { DEFAULT_REGISTRIES, isInsideRepository, isRegistrySource, originOf, sourceOf, tarballPackage, withoutCredentials } from "./lockfile-source.ts";

export type RedirectField = "name" | "resolved" | "integrity";

export interface LockfileRedirect {
  key: string;
  /** The package name at the head. */
  name: string;
  version: { old: string | null; new: string | null };
  /**
   * `same_version`: what installs changed while the version did not; `new_source`: the version changed
   * and the package now comes from another kind of source or host that is not the registry; `added`: a
   * new package from a source that is not the registry.
   */
  reason: "same_version" | "new_source" | "added";
  /** Old and new values, URLs without their credentials. */
  changes: { field: RedirectField; old: string | null; new: string | null }[];
}

export interface LockfileDiffOptions {
  /** The lockfile's folder in the repository ("" at the root): local paths are read from it. */
  lockfileDir: string;
}

/**
 * The redirections between two sides of one lockfile, per package key, in key order. Pure. A legitimate
 * update moves the version along with the resolved URL and integrity, on the registry the rest of the
 * lockfile uses; what is flagged is everything else that changes what installs. `before` null: the
 * lockfile is new, every package is added.
 */
export function diffLockedPackages(before: readonly LockedPackage[] | null, after: readonly LockedPackage[], options: LockfileDiffOptions): LockfileRedirect[] {
  const old = new Map((before ?? []).map((p) => [p.key, p]));
  const registries = registryOrigins(before ?? []);
  const out: LockfileRedirect[] = [];
  for (const pkg of [...after].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const redirect = compare(old.get(pkg.key), pkg, registries, options.lockfileDir);
    if (redirect) out.push(redirect);
  }
  return out;
}

function compare(old: LockedPackage | undefined, pkg: LockedPackage, registries: ReadonlySet<string>, lockfileDir: string): LockfileRedirect | null {
  const base = { key: pkg.key, name: pkg.name, version: { old: old?.version ?? null, new: pkg.version } };
  if (!old) {
    if (!isUnvetted(pkg, registries, lockfileDir)) return null;
    return { ...base, reason: "added", changes: [change("resolved", null, pkg.resolved)] };
  }
  if (old.version === pkg.version) {
    const changes = sameVersionChanges(old, pkg, registries);
    return changes.length === 0 ? null : { ...base, reason: "same_version", changes };
  }
  if (!isUnvetted(pkg, registries, lockfileDir)) return null;
  // The base already came from this unvetted source: a version moving along the same host or path updates it.
  if (isUnvetted(old, registries, lockfileDir) && sameSource(old, pkg)) return null;
  return { ...base, reason: "new_source", changes: [change("resolved", old.resolved, pkg.resolved)] };
}

function sameVersionChanges(old: LockedPackage, pkg: LockedPackage, registries: ReadonlySet<string>): LockfileRedirect["changes"] {
  const changes: LockfileRedirect["changes"] = [];
  if (old.name !== pkg.name) changes.push(change("name", old.name, pkg.name));
  if (resolvedChanged(old, pkg, registries)) changes.push(change("resolved", old.resolved, pkg.resolved));
  // Recording a hash where there was none only adds a check; dropping or replacing one is a redirection.
  if (old.integrity !== null && old.integrity !== pkg.integrity) changes.push(change("integrity", old.integrity, pkg.integrity));
  return changes;
}

/** null (the configured registry) and that package's tarball URL on the registry are the same thing written two ways. */
function resolvedChanged(old: LockedPackage, pkg: LockedPackage, registries: ReadonlySet<string>): boolean {
  if (old.resolved === pkg.resolved) return false;
  const a = old.resolved === null ? null : withoutCredentials(old.resolved);
  const b = pkg.resolved === null ? null : withoutCredentials(pkg.resolved);
  if (a === b) return false;
  if (a === null) return !isRegistrySource(b, pkg.name, registries);
  if (b === null) return !isRegistrySource(a, old.name, registries);
  return true;
}

/**
 * A source no registry vouches for: git, an exec, a tarball URL that is not this package's on the
 * registry, or a local path outside the repository. Workspaces and paths inside the repository are
 * reviewed as part of it.
 */
function isUnvetted(pkg: LockedPackage, registries: ReadonlySet<string>, lockfileDir: string): boolean {
  const source = sourceOf(pkg.resolved);
  switch (source.kind) {
    case "registry":
    case "workspace":
      return false;
    case "file":
    case "link":
      return !isInsideRepository(source.path ?? "", lockfileDir);
    case "url":
      return !isRegistrySource(pkg.resolved, pkg.name, registries);
    default:
      return true;
  }
}

/** Same kind of source on the same host (or the same local path): a version moving along it is an ordinary update. */
function sameSource(old: LockedPackage, pkg: LockedPackage): boolean {
  const a = sourceOf(old.resolved);
  const b = sourceOf(pkg.resolved);
  return a.kind === b.kind && a.origin === b.origin && a.path === b.path;
}

/** The default registries plus every origin the base side downloads registry-layout tarballs from (a private registry). */
export function registryOrigins(packages: readonly LockedPackage[]): Set<string> {
  const origins = new Set(DEFAULT_REGISTRIES);
  for (const p of packages) {
    if (p.resolved === null) continue;
    const origin = originOf(p.resolved);
    if (origin === null || origins.has(origin) || sourceOf(p.resolved).kind !== "url" || tarballPackage(p.resolved) !== p.name) continue;
    origins.add(origin);
  }
  return origins;
}

function change(field: RedirectField, old: string | null, now: string | null): LockfileRedirect["changes"][number] {
  return { field, old: old === null ? null : withoutCredentials(old), new: now === null ? null : withoutCredentials(now) };
}

const MAX_SHOWN = 160;
const shown = (value: string | null) => (value === null ? "(none)" : value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}...` : value);

/** One line for messages: `lodash@4.17.21: resolved https://registry.npmjs.org/... -> https://evil.example/x.tgz`. */
export function describeRedirect(r: LockfileRedirect): string {
  const at = r.version.new === null ? r.name : `${r.name}@${r.version.new}`;
  const what = r.changes.map((c) => `${c.field} ${shown(c.old)} -> ${shown(c.new)}`).join(", ");
  if (r.reason === "added") return `${at} added from ${shown(r.changes[0]?.new ?? null)}`;
  if (r.reason === "new_source") return `${at} (was ${r.version.old ?? "unversioned"}) moved to another source: ${what}`;
  return `${at}: ${what}, with no version change`;
}
