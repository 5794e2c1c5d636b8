import { createHash } from "node:crypto";
import semver from "semver";
import { packageNameMatcher, type DependencySteward, type PackageRule } from "../config/dependency-steward-settings.ts";
import { maxTier, type RiskTier } from "../core/risk-tier.ts";
import type { UpdateType } from "../policy/policy-schema.ts";
import type { DependencyType, ExtractedDependency } from "./extract.ts";
import type { CandidateUpdate, DependencyPlan, UpdateKind } from "./plan-updates.ts";
export { groupSignature } from "../sources/dependency-updates/deps-scan-result.ts";

/**
 * The planned updates as the PRs that will carry them, and the ones package rules switch off. Pure: the
 * same plans and settings always give the same groups, in the same order, with the same keys.
 *
 * Per dependency at most two updates are offered: its non-major one (the "minor" candidate, else the
 * "in-range" one) and its "major" one; a non-major and a major are always separate PRs. Default grouping:
 *   dev-non-major        every non-major update of a devDependency;
 *   prod-non-major       every other non-major update (dependencies, optionalDependencies, peers when offered);
 *   major-<name>-<N>     each package's update to major N, over every manifest declaring it (one PR updates
 *                        it everywhere).
 * A package rule's `group` moves the updates it matches to `rule-<group>`; `enabled = false` leaves them out
 * (IgnoredUpdate, naming the rule). With `lockfile_maintenance`, every in-range update goes to the one
 * `lockfile-maintenance` group instead (a rule's `group` does not move it out; `enabled = false` still
 * leaves it out, so that PR must update only the packages it lists), and a non-major group takes only
 * minor candidates. Peer dependencies are offered or not by planUpdates (`peers`), not here.
 */

export interface PlannedUpdate {
  name: string;
  alias: string | null;
  type: DependencyType;
  manifestPath: string;
  kind: UpdateKind;
  from: string;
  to: string;
  /** The manifest's range now. */
  fromRange: string;
  newRange: string;
  updateType: UpdateType;
  tier: RiskTier;
  ageDays: number | null;
}

export interface UpdateGroup {
  /** A stable slug, the group's identity across scans: "dev-non-major", "major-react-18", "rule-eslint". */
  key: string;
  /** The PR title without the commit prefix: "update devDependencies (non-major)", "update react to v18". */
  title: string;
  /** Sorted by manifestPath, then name. */
  updates: PlannedUpdate[];
  /** The highest tier of its updates. */
  tier: RiskTier;
}

export interface IgnoredUpdate {
  name: string;
  manifestPath: string;
  kind: UpdateKind;
  to: string;
  reason: string;
}

export const LOCKFILE_MAINTENANCE_KEY = "lockfile-maintenance";

const KIND_ORDER: Record<UpdateKind, number> = { "in-range": 0, minor: 1, major: 2 };

interface Placement {
  key: string;
  title: string;
  /** Tells apart different packages whose major keys slug alike ("@a/b" and "a-b"). */
  majorOf: string | null;
}

export function groupUpdates(plans: readonly DependencyPlan[], settings: DependencySteward): { groups: UpdateGroup[]; ignored: IgnoredUpdate[] } {
  const rules = settings.package_rules.map(compileRule);
  const maintenance = settings.lockfile_maintenance;
  const placed = new Map<string, { placement: Placement; updates: PlannedUpdate[] }>();
  const lockfile: PlannedUpdate[] = [];
  const ignored: IgnoredUpdate[] = [];

  // null: a rule switches it off (recorded as ignored).
  const offered = (dependency: ExtractedDependency, candidate: CandidateUpdate): { update: PlannedUpdate; group: string | null } | null => {
    const verdict = ruleVerdict(rules, dependency, candidate.kind);
    if (verdict.disabledBy !== null) {
      ignored.push({ name: dependency.name, manifestPath: dependency.manifestPath, kind: candidate.kind, to: candidate.to, reason: `package rule ${verdict.disabledBy + 1} disables it` });
      return null;
    }
    return { update: plannedUpdate(dependency, candidate), group: verdict.group };
  };
  const place = (update: PlannedUpdate, group: string | null) => {
    const placement = placementOf(update, group);
    const id = placement.majorOf === null ? placement.key : JSON.stringify([placement.key, placement.majorOf]);
    const entry = placed.get(id) ?? { placement, updates: [] };
    entry.updates.push(update);
    placed.set(id, entry);
  };

  for (const plan of plans) {
    const candidate = (kind: UpdateKind) => plan.candidates.find((c) => c.kind === kind);
    const inRange = candidate("in-range");
    if (maintenance && inRange) {
      const offer = offered(plan.dependency, inRange);
      if (offer) lockfile.push(offer.update);
    }
    // The first non-major candidate the rules allow: a disabled minor falls back to the lockfile-only update.
    for (const c of maintenance ? [candidate("minor")] : [candidate("minor"), inRange]) {
      if (!c) continue;
      const offer = offered(plan.dependency, c);
      if (!offer) continue;
      place(offer.update, offer.group);
      break;
    }
    const major = candidate("major");
    const offer = major && offered(plan.dependency, major);
    if (offer) place(offer.update, offer.group);
  }

  const groups: UpdateGroup[] = [];
  const majorKeys = new Map<string, number>();
  for (const { placement } of placed.values()) majorKeys.set(placement.key, (majorKeys.get(placement.key) ?? 0) + 1);
  for (const { placement, updates } of placed.values()) {
    const clash = placement.majorOf !== null && majorKeys.get(placement.key)! > 1;
    const key = clash ? `${placement.key}-${shortHash(placement.majorOf!)}` : placement.key;
    groups.push(makeGroup(key, placement.title, withoutSuperseded(updates, key, ignored)));
  }
  if (maintenance && lockfile.length > 0) groups.push(makeGroup(LOCKFILE_MAINTENANCE_KEY, "refresh the lockfile", lockfile));
  groups.sort((a, b) => compareText(a.key, b.key));
  ignored.sort((a, b) => compareText(a.manifestPath, b.manifestPath) || compareText(a.name, b.name) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
  return { groups, ignored };
}

/**
 * Every in-range candidate as one lockfile refresh, or null when there is none. No package rule applies
 * here: groupUpdates builds this group itself, honouring `enabled = false`, when `lockfile_maintenance` is on.
 */
export function lockfileMaintenanceGroup(plans: readonly DependencyPlan[]): UpdateGroup | null {
  const updates = plans.flatMap((plan) => plan.candidates.filter((c) => c.kind === "in-range").map((c) => plannedUpdate(plan.dependency, c)));
  return updates.length === 0 ? null : makeGroup(LOCKFILE_MAINTENANCE_KEY, "refresh the lockfile", updates);
}


interface CompiledRule {
  index: number;
  matchesName: (name: string) => boolean;
  rule: PackageRule;
}

function compileRule(rule: PackageRule, index: number): CompiledRule {
  return { index, matchesName: packageNameMatcher(rule.packages), rule };
}

/** Every matching rule in order, each overriding the keys it sets. */
function ruleVerdict(rules: readonly CompiledRule[], dependency: ExtractedDependency, kind: UpdateKind): { group: string | null; disabledBy: number | null } {
  let group: string | null = null;
  let enabled = true;
  let enabledBy: number | null = null;
  for (const { index, matchesName, rule } of rules) {
    const named = matchesName(dependency.name) || (dependency.alias !== null && matchesName(dependency.alias));
    if (!named || !rule.dep_types.includes(dependency.type) || !rule.update_types.includes(kind)) continue;
    if (rule.group !== undefined) group = rule.group;
    if (rule.enabled !== undefined) {
      enabled = rule.enabled;
      enabledBy = index;
    }
  }
  return { group, disabledBy: enabled ? null : enabledBy };
}

function placementOf(update: PlannedUpdate, group: string | null): Placement {
  if (group !== null) return { key: `rule-${group}`, title: `update ${group} dependencies`, majorOf: null };
  if (update.kind === "major") {
    const major = semver.major(update.to);
    return { key: `major-${slug(update.name)}-${major}`, title: `update ${update.name} to v${major}`, majorOf: update.name };
  }
  if (update.type === "dev") return { key: "dev-non-major", title: "update devDependencies (non-major)", majorOf: null };
  return { key: "prod-non-major", title: "update dependencies (non-major)", majorOf: null };
}

/**
 * A rule's group may catch both updates of one dependency; its PR cannot apply both to the same range,
 * so the major wins and the non-major is listed as ignored.
 */
function withoutSuperseded(updates: PlannedUpdate[], key: string, ignored: IgnoredUpdate[]): PlannedUpdate[] {
  const majors = new Map(updates.filter((u) => u.kind === "major").map((u) => [declaration(u), u]));
  return updates.filter((u) => {
    const major = u.kind === "major" ? undefined : majors.get(declaration(u));
    if (major === undefined) return true;
    ignored.push({ name: u.name, manifestPath: u.manifestPath, kind: u.kind, to: u.to, reason: `superseded by its major update to ${major.to} in the same group (${key})` });
    return false;
  });
}

function declaration(u: PlannedUpdate): string {
  return JSON.stringify([u.manifestPath, u.type, u.alias ?? u.name]);
}

function makeGroup(key: string, title: string, updates: PlannedUpdate[]): UpdateGroup {
  return { key, title, updates: sortUpdates(updates), tier: maxTier(...updates.map((u) => u.tier)) };
}

/** One candidate of one declared dependency, as a group lists it. */
export function plannedUpdate(dependency: ExtractedDependency, c: CandidateUpdate): PlannedUpdate {
  return {
    name: dependency.name,
    alias: dependency.alias,
    type: dependency.type,
    manifestPath: dependency.manifestPath,
    kind: c.kind,
    from: c.from,
    to: c.to,
    fromRange: dependency.range,
    newRange: c.newRange,
    updateType: c.updateType,
    tier: c.tier,
    ageDays: c.ageDays,
  };
}

function sortUpdates(updates: readonly PlannedUpdate[]): PlannedUpdate[] {
  return [...updates].sort(
    (a, b) =>
      compareText(a.manifestPath, b.manifestPath) ||
      compareText(a.name, b.name) ||
      compareText(a.alias ?? "", b.alias ?? "") ||
      compareText(a.type, b.type) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind],
  );
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "@types/node" -> "types-node". */
function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "package";
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}
