import { DEPENDENCY_SECTIONS } from "../ecosystems/common/package-json.ts";
import type { ClassificationInput, ManifestChange } from "./classify-input.ts";
import { globMatcher } from "./policy-glob.ts";
import { UPDATE_TYPES, type Policy, type UpdateType } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import { updateType } from "./semver-change.ts";
import type { RiskReason } from "./tiers.ts";

// Fields that force versions of transitive dependencies: any change is "other".
const OVERRIDE_FIELDS = ["overrides", "resolutions"] as const;

export interface DependencyChange {
  manifest: string;
  section: string;
  name: string;
  type: UpdateType;
  before: unknown;
  after: unknown;
}

/** Every change to a declared dependency across the manifests. */
export function dependencyChanges(manifests: readonly ManifestChange[]): DependencyChange[] {
  const out: DependencyChange[] = [];
  for (const m of manifests) {
    for (const section of DEPENDENCY_SECTIONS) {
      const before = table(m.before?.[section]);
      const after = table(m.after?.[section]);
      for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
        const type = updateType(before[name], after[name]);
        if (type) out.push({ manifest: m.path, section, name, type, before: before[name], after: after[name] });
      }
    }
    for (const field of OVERRIDE_FIELDS) {
      const before = JSON.stringify(m.before?.[field] ?? null);
      const after = JSON.stringify(m.after?.[field] ?? null);
      if (before !== after) out.push({ manifest: m.path, section: field, name: `(${field})`, type: "other", before: m.before?.[field], after: m.after?.[field] });
    }
  }
  return out;
}

/** One reason per kind of update (at the policy's tier for it), plus denied packages and too-fresh releases. */
export function dependencyRules(changes: readonly DependencyChange[], input: ClassificationInput, policy: Policy): RiskReason[] {
  const reasons: RiskReason[] = [];
  for (const type of UPDATE_TYPES) {
    const these = changes.filter((c) => c.type === type);
    if (these.length === 0) continue;
    reasons.push({
      rule: `dependency.${type}`,
      tier: policy.dependencies.tiers[type],
      message: `${type} dependency change: ${these.map(describe).join(", ")}`,
      paths: unique(these.map((c) => c.manifest)),
    });
  }
  const arriving = changes.filter((c) => c.type !== "removed" && !c.name.startsWith("("));
  const denied = globMatcher(policy.dependencies.denied_packages);
  const deniedHits = arriving.filter((c) => denied(c.name));
  if (deniedHits.length > 0) {
    reasons.push({
      rule: RULES.dependencyDenied,
      tier: "high",
      message: `adds or changes denied package(s) ${unique(deniedHits.map((c) => c.name)).join(", ")} (dependencies.denied_packages)`,
      paths: unique(deniedHits.map((c) => c.manifest)),
    });
  }
  const minAge = policy.dependencies.min_release_age_days;
  const fresh = arriving.filter((c) => {
    const age = input.releaseAgeDays?.[c.name];
    return age !== undefined && age < minAge;
  });
  if (fresh.length > 0) {
    reasons.push({
      rule: RULES.dependencyReleaseAge,
      tier: "high",
      message: `released fewer than ${minAge} days ago (dependencies.min_release_age_days): ${fresh.map((c) => `${c.name} (${input.releaseAgeDays?.[c.name]} days)`).join(", ")}`,
      paths: unique(fresh.map((c) => c.manifest)),
    });
  }
  return reasons;
}

function describe(c: DependencyChange): string {
  if (c.type === "added") return `${c.name} ${JSON.stringify(c.after)} added to ${c.manifest} ${c.section}`;
  if (c.type === "removed") return `${c.name} removed from ${c.manifest} ${c.section}`;
  return `${c.name} ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)} (${c.manifest} ${c.section})`;
}

function table(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function unique(values: string[]): string[] {
  return [...new Set(values)].sort();
}
