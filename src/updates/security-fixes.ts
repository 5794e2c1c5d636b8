import semver from "semver";
import { maxTier } from "../core/risk-tier.ts";
import type { AdvisoryRecord, UpdateGroupRecord, Unfixed } from "../sources/dependency-updates/deps-scan-result.ts";
import { plannedUpdate } from "./group-updates.ts";
import type { DependencyPlan, UpdateKind } from "./plan-updates.ts";

/** Tried in this order: the smallest change that leaves every advisory's range. */
const FIX_ORDER: readonly UpdateKind[] = ["in-range", "minor", "major"];

export interface SecurityFixes {
  /** One group per vulnerable package: its fix in every manifest that declares it. */
  groups: UpdateGroupRecord[];
  /** `manifestPath|name` of each dependency a security group updates: the routine groups leave them out. */
  fixed: Set<string>;
  unfixed: Unfixed[];
}

export function dependencyKey(manifestPath: string, name: string): string {
  return `${manifestPath}|${name}`;
}

/**
 * The security updates: for each dependency whose installed version an advisory names, the smallest
 * allowed update (the plan's candidates, so the policy, the minimum age and the engines still hold) whose
 * version no advisory of it includes. A vulnerable version nothing allowed fixes is listed, with why.
 */
export function securityFixes(plans: readonly DependencyPlan[], advisories: ReadonlyMap<string, readonly Omit<AdvisoryRecord, "name" | "version">[]>): SecurityFixes {
  const byName = new Map<string, { plan: DependencyPlan; fix: NonNullable<ReturnType<typeof pickFix>>; found: AdvisoryRecord[] }[]>();
  const unfixed: Unfixed[] = [];
  for (const plan of plans) {
    const { dependency } = plan;
    const installed = dependency.lockedVersion ?? null;
    if (installed === null || semver.valid(installed) === null) continue;
    const found = (advisories.get(dependency.name) ?? []).filter((a) => includes(a.vulnerableVersions, installed)).map((a) => ({ ...a, name: dependency.name, version: installed }));
    if (found.length === 0) continue;
    // Every advisory of the package, not only the installed version's: a fix must not move into another one.
    const fix = pickFix(plan, advisories.get(dependency.name) ?? []);
    if (!fix) {
      const why = plan.candidates.length === 0 ? "no update the policy allows (see the passed-over versions)" : "every allowed update is still inside an advisory's range";
      unfixed.push({ name: dependency.name, version: installed, manifestPath: dependency.manifestPath, advisories: found.slice(0, 50), reason: why });
      continue;
    }
    const list = byName.get(dependency.name) ?? [];
    list.push({ plan, fix, found });
    byName.set(dependency.name, list);
  }
  const groups: UpdateGroupRecord[] = [];
  const fixed = new Set<string>();
  for (const [name, entries] of [...byName].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const updates = entries.map((e) => plannedUpdate(e.plan.dependency, e.fix)).sort((a, b) => (a.manifestPath < b.manifestPath ? -1 : a.manifestPath > b.manifestPath ? 1 : 0));
    const security = dedupeAdvisories(entries.flatMap((e) => e.found));
    for (const e of entries) fixed.add(dependencyKey(e.plan.dependency.manifestPath, name));
    const versions = [...new Set(updates.map((u) => `${u.from} -> ${u.to}`))].join(", ");
    groups.push({
      key: `security-${name.toLowerCase()}`.slice(0, 200),
      title: `fix ${security.length} advisor${security.length === 1 ? "y" : "ies"} in ${name} (${versions})`.slice(0, 200),
      tier: maxTier(...updates.map((u) => u.tier)),
      updates,
      security: security.slice(0, 200),
    });
  }
  return { groups, fixed, unfixed };
}

function pickFix(plan: DependencyPlan, found: readonly Pick<AdvisoryRecord, "vulnerableVersions">[]) {
  for (const kind of FIX_ORDER) {
    const candidate = plan.candidates.find((c) => c.kind === kind);
    if (candidate && !found.some((a) => includes(a.vulnerableVersions, candidate.to))) return candidate;
  }
  return null;
}

function includes(range: string, version: string): boolean {
  return semver.validRange(range) !== null && semver.satisfies(version, range, { includePrerelease: true });
}

function dedupeAdvisories(list: readonly AdvisoryRecord[]): AdvisoryRecord[] {
  const seen = new Map<string, AdvisoryRecord>();
  for (const a of list) if (!seen.has(String(a.id))) seen.set(String(a.id), a);
  return [...seen.values()];
}
