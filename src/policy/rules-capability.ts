import type { ClassificationInput, ManifestChange } from "./classify-input.ts";
import { networkPatternsFor, networkUses } from "./network-patterns.ts";
import type { Policy } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import type { RiskReason } from "./tiers.ts";

/** New or changed package.json scripts: checks and installs run them, so they are code that runs. High. */
export function scriptRule(manifests: readonly ManifestChange[]): RiskReason[] {
  const changed: string[] = [];
  const paths: string[] = [];
  for (const m of manifests) {
    const before = table(m.before?.scripts);
    const after = table(m.after?.scripts);
    const names = Object.keys(after).filter((name) => !Object.hasOwn(before, name) || before[name] !== after[name]).sort();
    if (names.length === 0) continue;
    changed.push(...names.map((n) => `${m.path} scripts.${n}`));
    paths.push(m.path);
  }
  if (changed.length === 0) return [];
  return [{ rule: RULES.script, tier: "high", message: `adds or changes package scripts: ${changed.join(", ")}`, paths: paths.sort() }];
}

/** Binary content cannot be reviewed as a diff (High); a file that newly becomes executable is Medium. */
export function fileCapabilityRules(input: ClassificationInput): RiskReason[] {
  const reasons: RiskReason[] = [];
  const present = input.files.filter((f) => f.status !== "deleted");
  const binaries = present.filter((f) => f.binary).map((f) => f.path).sort();
  if (binaries.length > 0) {
    reasons.push({ rule: RULES.binary, tier: "high", message: `adds or changes binary file(s): ${binaries.join(", ")}`, paths: binaries });
  }
  const executables = present.filter((f) => f.executable && !(f.status !== "added" && f.oldExecutable)).map((f) => f.path).sort();
  if (executables.length > 0) {
    reasons.push({ rule: RULES.executable, tier: "medium", message: `adds executable file(s) or sets the executable bit: ${executables.join(", ")}`, paths: executables });
  }
  return reasons;
}

/**
 * New network use: the job ran with a network grant the policy does not allow, or the diff adds more
 * lines that open connections (fetch(, http imports, curl...) to a file than it removes from it.
 */
export function networkRules(input: ClassificationInput, policy: Policy): RiskReason[] {
  const reasons: RiskReason[] = [];
  const allowed = new Set<string>(policy.network.kinds);
  const granted = [...new Set(input.networkKinds ?? [])].filter((k) => !allowed.has(k)).sort();
  if (granted.length > 0) {
    reasons.push({ rule: RULES.network, tier: "high", message: `ran with the network as job kind(s) ${granted.join(", ")}, not in network.kinds` });
  }
  const files = (input.patches ?? [])
    .filter((p) => {
      const patterns = networkPatternsFor(p.path);
      return patterns.length > 0 && networkUses(p.added, patterns) > networkUses(p.removed, patterns);
    })
    .map((p) => p.path)
    .sort();
  if (files.length > 0) {
    reasons.push({ rule: RULES.network, tier: "high", message: `adds network use (fetch, sockets, http modules, curl...) in: ${files.join(", ")}`, paths: files });
  }
  return reasons;
}

function table(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
