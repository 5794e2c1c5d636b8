import { DEFAULT_POLICY } from "./policy-defaults.ts";

const d = DEFAULT_POLICY;

/** A TOML value: JSON strings, numbers, booleans and lists of them are valid TOML as written. */
function v(value: string | number | boolean): string {
  return JSON.stringify(value);
}

function list(values: readonly string[], indent = "  "): string {
  if (values.length === 0) return "[]";
  if (values.length <= 3) return `[${values.map(v).join(", ")}]`;
  return `[\n${values.map((x) => `${indent}${v(x)},`).join("\n")}\n]`;
}

/**
 * The complete default `.pushpals/policy.toml` with every key spelt out and explained: what
 * `pushpals init` writes. It parses back to exactly the defaults.
 */
export function defaultPolicyToml(): string {
  const roles = Object.entries(d.roles).map(([role, globs]) => `${role} = ${list(globs)}`).join("\n");
  const tiers = Object.entries(d.dependencies.tiers).map(([kind, tier]) => `${kind} = ${v(tier)}`).join("\n");
  return `# PushPals policy: how risky a change is, and what it needs before it merges.
# Committed and reviewed like code. A change to this file or to .pushpals/config.toml is always
# High and is never merged by PushPals on its own (hard-coded, not configurable). A change to
# .pushpals/quarantine.toml (the test quarantine) is at least Medium and always needs a person's
# approval (hard-coded too; naming that file in [paths] protected makes it High).
# Globs use Bun.Glob syntax over repo-relative paths: "*" stays within a directory, "**" spans them.
# See docs/policy.md.
#
# A change's tier is the highest of: the tier its job declared, protected paths, size, dependency
# changes, public API changes and new capabilities (scripts, binaries, executables, network use).

# Write scope of each worker role: the only paths a job of that role may change. Changing a path
# outside its role's scope makes the change High.
[roles]
${roles}

[paths]
# A change to any of these is High.
protected = ${list(d.paths.protected)}
# Lockfiles are left out of the size limits. A lockfile changed with no dependency change in any
# package.json is High unless the job's role is dependency_steward.
lockfiles = ${list(d.paths.lockfiles)}

# Low: the checks pass and the review agent approves.
[low]
# Largest Low change (lockfiles not counted); anything bigger is at least Medium.
max_files = ${v(d.low.max_files)}
# Changed lines (added + deleted).
max_lines = ${v(d.low.max_lines)}
# Merge a Low PR with no person involved once checks and review pass.
auto_merge = ${v(d.low.auto_merge)}

# Medium: as Low, plus people's approvals of the exact head commit.
[medium]
# Largest Medium change; anything bigger is High.
max_files = ${v(d.medium.max_files)}
max_lines = ${v(d.medium.max_lines)}
# At least 1.
required_approvals = ${v(d.medium.required_approvals)}

# High: an RFC (docs/rfcs/NNNN-<slug>.md, its own PR) approved before any code job starts, then
# approvals of the exact head commit.
[high]
require_rfc = ${v(d.high.require_rfc)}
# At least medium.required_approvals.
required_approvals = ${v(d.high.required_approvals)}

[dependencies]
# A version released fewer days ago than this is High (checked when the release date is known).
min_release_age_days = ${v(d.dependencies.min_release_age_days)}
# Adding or changing any of these packages is High. Names or name globs, e.g. "@evil/*".
denied_packages = ${list(d.dependencies.denied_packages)}

# The tier of each change to a dependency declared in a package.json, by the change of its version:
# patch, minor, major (caret semantics: 0.1 -> 0.2 is major), added, removed, and other (a spec
# that is not a plain version: git URL, tag, workspace:, npm: alias, range, prerelease).
[dependencies.tiers]
${tiers}

[network]
# Job kinds whose commands may use the network (the [sandbox] network setting of
# .pushpals/config.toml) without the change becoming High.
kinds = ${list(d.network.kinds)}
`;
}
