import { posix } from "node:path";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { touchedPaths, type ClassificationInput, type ManifestChange } from "./classify-input.ts";
import { DEPENDENCY_ROLE, POLICY_FILES } from "./policy-defaults.ts";
import { caselessGlobMatcher, globMatcher } from "./policy-glob.ts";
import type { Policy } from "./policy-schema.ts";
import { RULES } from "./rule-ids.ts";
import type { RiskReason } from "./tiers.ts";
import { exceptQuarantineFile, QUARANTINE_FILE } from "../test-quarantine/quarantine-path.ts";

// Manifests of other ecosystems: a lockfile changed together with one of them is a dependency change.
const OTHER_MANIFESTS = new Set(["Cargo.toml", "go.mod", "pyproject.toml", "Pipfile", "Gemfile", "composer.json", "requirements.txt"]);

export function policyFileRule(input: ClassificationInput): RiskReason[] {
  const hits = touchedPaths(input.files).filter((p) => (POLICY_FILES as readonly string[]).includes(p.toLowerCase()));
  if (hits.length === 0) return [];
  return [{ rule: RULES.policyFile, tier: "high", message: `changes PushPals policy or config (${hits.join(", ")}): always High, never merged by PushPals on its own`, paths: hits }];
}

/**
 * The test quarantine (`.pushpals/quarantine.toml`) is data PushPals writes with its evidence: a change to
 * it is at least Medium and always needs a person's approval (`gatesFor`), hard-coded, whatever the
 * policy says. `.pushpals/**` in paths.protected does not make it High; naming the file itself there does.
 */
export function quarantineFileRule(input: ClassificationInput): RiskReason[] {
  if (!touchedPaths(input.files).includes(QUARANTINE_FILE)) return [];
  return [{ rule: RULES.quarantineFile, tier: "medium", message: `changes the test quarantine (${QUARANTINE_FILE}): at least Medium, and a person approves it (hard-coded, not configurable)`, paths: [QUARANTINE_FILE] }];
}

export function protectedPathRule(input: ClassificationInput, policy: Policy): RiskReason[] {
  // Deleted and renamed-away paths count too (touchedPaths has both sides of a rename).
  const isProtected = exceptQuarantineFile(policy.paths.protected, caselessGlobMatcher(policy.paths.protected));
  const hits = touchedPaths(input.files).filter(isProtected);
  if (hits.length === 0) return [];
  return [{ rule: RULES.protectedPath, tier: "high", message: `changes protected path(s) (paths.protected): ${hits.join(", ")}`, paths: hits }];
}

/** A change by a role must stay inside the role's write scope; an unknown role has none. */
export function roleScopeRule(input: ClassificationInput, policy: Policy): RiskReason[] {
  const { role } = input;
  if (role === undefined) return [];
  const scope = Object.hasOwn(policy.roles, role) ? policy.roles[role] : undefined;
  const paths = touchedPaths(input.files);
  if (!scope) {
    return [{ rule: RULES.roleScope, tier: "high", message: `role "${role}" has no write scope in the policy ([roles])`, paths }];
  }
  const inScope = globMatcher(scope);
  const outside = paths.filter((p) => !inScope(p));
  if (outside.length === 0) return [];
  return [{ rule: RULES.roleScope, tier: "high", message: `changes path(s) outside the write scope of role "${role}" (roles.${role}): ${outside.join(", ")}`, paths: outside }];
}

/**
 * A lockfile changed with no dependency change beside it (outside the dependency role) can swap
 * what installs while the reviewable manifest stays the same.
 */
export function lockfileOnlyRule(input: ClassificationInput, policy: Policy, dependencyChanged: boolean): RiskReason[] {
  if (input.role === DEPENDENCY_ROLE || dependencyChanged) return [];
  const isLockfile = globMatcher(policy.paths.lockfiles);
  const lockfiles = input.files.filter((f) => f.status !== "deleted" && isLockfile(f.path)).map((f) => f.path).sort();
  if (lockfiles.length === 0) return [];
  if (input.files.some((f) => OTHER_MANIFESTS.has(posix.basename(f.path)))) return [];
  return [{
    rule: RULES.lockfileOnly,
    tier: "high",
    message: `changes lockfile(s) with no dependency change in a manifest, outside the ${DEPENDENCY_ROLE} role: ${lockfiles.join(", ")}`,
    paths: lockfiles,
  }];
}

/** A changed package.json whose contents the caller did not give: its dependencies and scripts cannot be judged. */
export function manifestUnreadRule(input: ClassificationInput, manifests: readonly ManifestChange[]): RiskReason[] {
  const known = new Set(manifests.map((m) => m.path));
  const unread = input.files.filter((f) => posix.basename(f.path) === PACKAGE_JSON && !known.has(f.path)).map((f) => f.path).sort();
  if (unread.length === 0) return [];
  return [{ rule: RULES.manifestUnread, tier: "high", message: `package.json changed but its contents were not classified: ${unread.join(", ")}`, paths: unread }];
}

/** Files and changed lines, lockfiles left out (the dependency rules judge those). */
export function sizeRules(input: ClassificationInput, policy: Policy): RiskReason[] {
  const isLockfile = globMatcher(policy.paths.lockfiles);
  const counted = input.files.filter((f) => !isLockfile(f.path));
  const files = counted.length;
  const lines = counted.reduce((sum, f) => sum + f.additions + f.deletions, 0);
  const reasons: RiskReason[] = [];
  const check = (rule: string, what: string, value: number, lowMax: number, mediumMax: number, key: string) => {
    if (value <= lowMax) return;
    const high = value > mediumMax;
    const limit = high ? `medium.${key} (${mediumMax})` : `low.${key} (${lowMax})`;
    reasons.push({ rule, tier: high ? "high" : "medium", message: `${value} ${what}, over ${limit}` });
  };
  check(RULES.sizeFiles, "changed files", files, policy.low.max_files, policy.medium.max_files, "max_files");
  check(RULES.sizeLines, "changed lines", lines, policy.low.max_lines, policy.medium.max_lines, "max_lines");
  return reasons;
}
