import type { DependencySteward } from "../config/dependency-steward-settings.ts";
import type { NpmConfigSources } from "../deps/npm-config.ts";
import type { Policy } from "../policy/policy-schema.ts";
import { fetchAdvisories } from "../registry/advisories.ts";
import { fetchPackuments } from "../registry/fetch-packuments.ts";
import type { Packument } from "../registry/packument.ts";
import { RegistryFailure } from "../registry/registry-failure.ts";
import { type DepsScan, MAX_SCAN_GROUPS, type PassedOver } from "../sources/dependency-updates/deps-scan-result.ts";
import { extractDependencies } from "./extract.ts";
import { groupUpdates } from "./group-updates.ts";
import { planUpdates, type DependencyPlan } from "./plan-updates.ts";
import { dependencyKey, securityFixes } from "./security-fixes.ts";

export interface ScanOptions {
  /** A fresh checkout of the commit: no command ran in it. */
  dir: string;
  npmConfig: NpmConfigSources;
  /** The registry documents' ETag cache. */
  cacheDir: string;
  /** The policy committed at the commit. */
  policy: Pick<Policy, "dependencies">;
  /** `[dependency_steward]` of the config committed at the commit. */
  settings: DependencySteward;
  now: Date;
  signal?: AbortSignal;
  log: (line: string) => void;
  /** The result's largest JSON size: the dependency and passed-over lists are cut to fit (the groups never are). */
  maxBytes: number;
}

export type ScanOfCheckout = Omit<DepsScan, "branch" | "commit">;

/**
 * A checkout's dependencies and the updates due: every manifest read (extract.ts), each package's full
 * registry document (cached by ETag), the plan under the committed policy, the installed versions'
 * advisories, the security fixes first and the routine updates grouped into PRs. Runs nothing from the
 * repository. A registry fault fails the scan (RegistryFailure, `environment`) except for advisories: a
 * registry without them, or one that fails to answer, leaves the scan incomplete (so it closes nothing)
 * and says so.
 */
export async function scanDependencies(options: ScanOptions): Promise<ScanOfCheckout> {
  const { settings, log } = options;
  const extraction = await extractDependencies(options.dir);
  const notes = [...extraction.notes];
  if (extraction.lockfileProblem) notes.push(extraction.lockfileProblem);
  const wanted = extraction.dependencies.filter((d) => settings.peers || d.type !== "peer").map((d) => d.name);
  const fetched = await fetchPackuments(wanted, { npmConfig: options.npmConfig, cacheDir: options.cacheDir, signal: options.signal, log });
  const packuments = new Map<string, Packument>([...fetched].map(([name, f]) => [name, f.packument]));
  const plans = planUpdates({ dependencies: extraction.dependencies, packuments, policy: options.policy, now: options.now, engineNode: extraction.engineNode, peers: settings.peers });

  let complete = true;
  let unsupported: string[] = [];
  let advisories = new Map<string, { id: number | string; url: string; title: string; severity: "info" | "low" | "moderate" | "high" | "critical"; vulnerableVersions: string }[]>();
  const installed = installedVersions(plans);
  if (installed.size > 0) {
    try {
      const found = await fetchAdvisories(installed, { npmConfig: options.npmConfig, signal: options.signal });
      advisories = found.advisories;
      unsupported = found.unsupported;
      if (unsupported.length > 0) notes.push(`no advisories from ${unsupported.join(", ")}: that registry offers no audit service, so vulnerable versions there are not known`);
    } catch (err) {
      if (!(err instanceof RegistryFailure)) throw err;
      complete = false;
      notes.push(`advisories could not be read (${err.message}): security updates are not known this scan, and no item closes`);
    }
  }
  const security = securityFixes(plans, advisories);
  const routinePlans = plans.map((p) => (security.fixed.has(dependencyKey(p.dependency.manifestPath, p.dependency.name)) ? { ...p, candidates: [] } : p));
  const routine = groupUpdates(routinePlans, settings);
  let groups = [...security.groups, ...routine.groups.map((g) => ({ ...g, security: [] }))];
  if (groups.length > MAX_SCAN_GROUPS) {
    notes.push(`${groups.length} groups: only the first ${MAX_SCAN_GROUPS} are filed (group more with dependency_steward.package_rules)`);
    groups = groups.slice(0, MAX_SCAN_GROUPS);
    complete = false;
  }
  const passedOver: PassedOver[] = [
    ...plans.flatMap((p) => p.skipped.map((s) => ({ name: p.dependency.name, manifestPath: p.dependency.manifestPath, kind: s.kind, version: s.version, reason: s.reason }))),
    ...routine.ignored.map((i) => ({ name: i.name, manifestPath: i.manifestPath, kind: i.kind, version: i.to, reason: i.reason })),
    ...extraction.skipped.map((s) => ({ name: s.name, manifestPath: s.manifestPath, kind: null, version: null, reason: `${s.spec}: ${s.reason}` })),
  ];
  const scan: ScanOfCheckout = {
    scannedAt: options.now.getTime(),
    ecosystem: extraction.ecosystem,
    lockfile: extraction.lockfile,
    manifests: extraction.manifests.map((m) => m.path),
    detected: extraction.dependencies.map((d) => ({ name: d.name, type: d.type, range: d.range, locked: d.lockedVersion, manifestPath: d.manifestPath })),
    groups,
    passedOver,
    unfixed: security.unfixed,
    registries: [...new Set([...fetched.values()].map((f) => f.registry))].sort(),
    advisoriesUnsupported: unsupported,
    notes: notes.slice(0, 100).map((n) => n.slice(0, 1000)),
    schedule: settings.schedule,
    complete,
  };
  return fitted(scan, options.maxBytes, log);
}

/** Each installed version per package, as `npm audit` asks for them. */
function installedVersions(plans: readonly DependencyPlan[]): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const { dependency } of plans) {
    if (!dependency.lockedVersion) continue;
    const set = out.get(dependency.name) ?? new Set<string>();
    set.add(dependency.lockedVersion);
    out.set(dependency.name, set);
  }
  return new Map([...out].map(([name, versions]) => [name, [...versions].sort()]));
}

/** The lists the dashboard shows are cut (said in a note) until the result fits; the groups are what it files. */
function fitted(scan: ScanOfCheckout, maxBytes: number, log: (line: string) => void): ScanOfCheckout {
  const size = () => Buffer.byteLength(JSON.stringify(scan));
  for (const list of ["passedOver", "detected"] as const) {
    while (size() > maxBytes && scan[list].length > 0) {
      const keep = Math.floor(scan[list].length / 2);
      const line = `only ${keep} of ${scan[list].length} ${list === "detected" ? "detected dependencies" : "passed-over updates"} are listed (the scan's size limit)`;
      log(line);
      scan = { ...scan, [list]: scan[list].slice(0, keep), notes: [...scan.notes.slice(0, 99), line] };
    }
  }
  return scan;
}
