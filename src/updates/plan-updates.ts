import semver from "semver";
import type { RiskTier } from "../core/risk-tier.ts";
import { globMatcher } from "../policy/policy-glob.ts";
import type { Policy, UpdateType } from "../policy/policy-schema.ts";
import { updateType } from "../policy/semver-change.ts";
import type { Packument } from "../registry/packument.ts";
import type { ExtractedDependency } from "./extract.ts";
import { rewriteRange } from "./range-rewrite.ts";

/**
 * The updates each declared dependency could take, and why the others are not offered. Pure: the same
 * dependencies, documents, policy, time and Node range always give the same plan.
 *
 * Per dependency, three candidates at most:
 *   in-range  the newest version its range already allows, above the locked one: a lockfile-only update;
 *   minor     the newest of its current major (the range rewritten with its operator: ^1.2.3 -> ^1.4.0, an
 *             exact pin stays exact, ~1.2 -> ~1.4);
 *   major     the newest of a later major.
 * A version is passed over, with the reason, when it is deprecated, newer than the `latest` dist-tag,
 * released fewer than `[dependencies].min_release_age_days` days before `now` (no publish time counts as
 * too new: fail closed), or its `engines.node` does not allow every Node.js the repository's
 * `engines.node` does. Prereleases are candidates only for a dependency on a prerelease, and only of that
 * same version (npm's own rule for ranges: 2.0.0-beta.1 may go to 2.0.0-beta.3 or 2.0.0, not 2.1.0-rc.1).
 * A denied package (`[dependencies].denied_packages`) is refused whole, and a peer dependency is left
 * alone unless `peers` says otherwise (its range is a promise to the package's users, not an install).
 *
 * Each candidate's tier is the policy's `[dependencies.tiers]` for the change the review will classify
 * (src/policy/semver-change.ts, caret semantics: below 1.0 a minor bump is major, below 0.1 a patch is):
 * the manifest's range before and after for minor and major, the locked version before and after for an
 * in-range update (the manifest does not change; what installs does).
 */
export type UpdateKind = "in-range" | "minor" | "major";

export interface CandidateUpdate {
  kind: UpdateKind;
  /** The version installed now (the locked one; without a lockfile, the lowest the range allows). */
  from: string;
  to: string;
  /** The manifest's range after the update (unchanged for an in-range update). */
  newRange: string;
  updateType: UpdateType;
  tier: RiskTier;
  /** Whole days since `to` was published; null when it has no publish time and no minimum age applies. */
  ageDays: number | null;
}

export interface SkippedUpdate {
  /** null: the whole dependency. */
  kind: UpdateKind | null;
  version: string | null;
  reason: string;
}

export interface DependencyPlan {
  dependency: ExtractedDependency;
  candidates: CandidateUpdate[];
  skipped: SkippedUpdate[];
}

export interface PlanInput {
  dependencies: readonly ExtractedDependency[];
  /** By package name; a dependency whose document is missing is skipped with that reason. */
  packuments: ReadonlyMap<string, Packument>;
  policy: Pick<Policy, "dependencies">;
  now: Date;
  /** The repository's root `engines.node`, or null (then no candidate's engines are checked). */
  engineNode: string | null;
  /** Offer updates of peer dependencies too (default false). */
  peers?: boolean;
}

const DAY_MS = 86_400_000;
/** Passed-over versions listed per kind, newest first. */
export const MAX_SKIPPED_PER_KIND = 10;
const KINDS: readonly UpdateKind[] = ["in-range", "minor", "major"];

export function planUpdates(input: PlanInput): DependencyPlan[] {
  const denied = globMatcher(input.policy.dependencies.denied_packages);
  return input.dependencies.map((dependency) => planOne(dependency, input, denied));
}

function planOne(dependency: ExtractedDependency, input: PlanInput, denied: (name: string) => boolean): DependencyPlan {
  const plan: DependencyPlan = { dependency, candidates: [], skipped: [] };
  const whole = (reason: string) => {
    plan.skipped.push({ kind: null, version: null, reason });
    return plan;
  };
  if (denied(dependency.name) || (dependency.alias !== null && denied(dependency.alias))) return whole("denied by policy (dependencies.denied_packages)");
  if (dependency.type === "peer" && !input.peers) return whole("a peer dependency: left alone unless peer updates are configured");
  const packument = input.packuments.get(dependency.name);
  if (!packument) return whole("no registry document for it");
  const range = semver.validRange(dependency.range) === null ? null : dependency.range;
  if (range === null) return whole(`${JSON.stringify(dependency.range)} is not a semver range`);

  let locked = dependency.lockedVersion !== null && semver.valid(dependency.lockedVersion) === dependency.lockedVersion ? dependency.lockedVersion : null;
  if (locked !== null && !semver.satisfies(locked, range, { includePrerelease: true })) {
    plan.skipped.push({ kind: "in-range", version: null, reason: `the locked ${locked} is outside ${range} (the lockfile is out of date)` });
    locked = null;
  } else if (locked === null) {
    plan.skipped.push({ kind: "in-range", version: null, reason: "no locked version to update" });
  }
  const from = locked ?? semver.minVersion(range)?.version ?? null;
  if (from === null) return whole(`no version satisfies ${range}`);

  const versions = Object.keys(packument.versions)
    .filter((v) => semver.valid(v) === v)
    .sort(semver.rcompare);
  const fromParsed = semver.parse(from)!;
  const latest = packument["dist-tags"]?.latest;
  const latestVersion = latest !== undefined && semver.valid(latest) === latest ? latest : null;
  const minAge = input.policy.dependencies.min_release_age_days;
  const repoNode = input.engineNode !== null && semver.validRange(input.engineNode) !== null ? input.engineNode : null;

  const considered = (v: string): boolean => {
    if (!semver.gt(v, from)) return false;
    const pre = semver.prerelease(v);
    if (pre === null) return true;
    // Prereleases only from a prerelease, of that same version.
    const p = semver.parse(v)!;
    return fromParsed.prerelease.length > 0 && p.major === fromParsed.major && p.minor === fromParsed.minor && p.patch === fromParsed.patch;
  };
  const inBucket: Record<UpdateKind, (v: string) => boolean> = {
    "in-range": (v) => locked !== null && semver.satisfies(v, range, { includePrerelease: true }),
    minor: (v) => semver.major(v) === fromParsed.major,
    major: (v) => semver.major(v) > fromParsed.major,
  };

  const refusal = (v: string): string | null => {
    const doc = packument.versions[v]!;
    if (doc.deprecated !== undefined) return "deprecated";
    if (latestVersion !== null && semver.prerelease(v) === null && semver.gt(v, latestVersion)) return `newer than the latest dist-tag (${latestVersion})`;
    const age = ageOf(packument, v, input.now);
    if (minAge > 0) {
      if (age === null) return "no publish time";
      if (age < minAge) return `too new: ${Math.max(0, Math.floor(age))} days < ${minAge}`;
    }
    const engines = doc.engines?.node?.trim();
    if (repoNode !== null && engines !== undefined && engines !== "") {
      if (semver.validRange(engines) === null) return `engines.node ${JSON.stringify(engines)} is not a version range`;
      if (!semver.subset(repoNode, engines)) return `engines.node ${engines} does not allow the repository's ${repoNode}`;
    }
    return null;
  };

  for (const kind of KINDS) {
    if (kind === "in-range" && locked === null) continue;
    let passedOver = 0;
    for (const v of versions) {
      if (!considered(v) || !inBucket[kind](v)) continue;
      const why = refusal(v);
      if (why !== null) {
        if (passedOver++ < MAX_SKIPPED_PER_KIND) plan.skipped.push({ kind, version: v, reason: why });
        continue;
      }
      const candidate = candidateFor(kind, v, from, range, input, packument);
      if ("reason" in candidate) plan.skipped.push({ kind, version: v, reason: candidate.reason });
      else plan.candidates.push(candidate);
      break;
    }
    if (passedOver > MAX_SKIPPED_PER_KIND) plan.skipped.push({ kind, version: null, reason: `and ${passedOver - MAX_SKIPPED_PER_KIND} older versions passed over` });
  }
  return plan;
}

function candidateFor(kind: UpdateKind, to: string, from: string, range: string, input: PlanInput, packument: Packument): CandidateUpdate | { reason: string } {
  let newRange = range;
  let type: UpdateType | null;
  if (kind === "in-range") {
    type = updateType(from, to);
  } else {
    const rewritten = rewriteRange(range, to);
    if (rewritten === null) return { reason: `the range ${range} is not one version with an operator (^, ~, >=, =, x): left for a person to rewrite` };
    if (rewritten === range) return { reason: `${range} already allows it (the in-range update)` };
    newRange = rewritten;
    type = updateType(range, newRange);
  }
  if (type === null) return { reason: "no change to the declared version" };
  const age = ageOf(packument, to, input.now);
  return { kind, from, to, newRange, updateType: type, tier: input.policy.dependencies.tiers[type], ageDays: age === null ? null : Math.max(0, Math.floor(age)) };
}

/** Days since `version` was published, or null when its time is missing or not a date. */
function ageOf(packument: Packument, version: string, now: Date): number | null {
  const published = packument.time?.[version];
  if (published === undefined) return null;
  const at = Date.parse(published);
  return Number.isNaN(at) ? null : (now.getTime() - at) / DAY_MS;
}
