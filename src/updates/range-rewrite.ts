import semver from "semver";

/**
 * A manifest range moved to `version` the way a person would write it: the same operator and the same
 * precision. `^1.2.3` -> `^1.4.0`, `1.2.3` -> `1.4.0` (an exact pin stays exact), `~1.2` -> `~1.4`, `1.x` -> `2.x`,
 * `>=1.2.3` -> `>=2.0.0`, `v1.2.3` -> `v2.0.0`. Null for a range that is not one version with one such
 * operator (`^1 || ^2`, `1.2 - 1.5`, `<2`, `*`), or when the result would not allow `version` (a prerelease
 * cannot be written as `1.x`): those are left for a person.
 */
const PLAIN = /^(\^|~>|~|>=|=|v)?\s*(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export function rewriteRange(range: string, version: string): string | null {
  const m = PLAIN.exec(range.trim());
  const to = semver.parse(version);
  if (!m || !to) return null;
  const op = m[1] ?? "";
  const [minor, patch] = [m[3], m[4]];
  const wildcard = (part: string | undefined) => part !== undefined && /^[xX*]$/.test(part);
  let out: string;
  if (minor !== undefined && patch !== undefined && !wildcard(minor) && !wildcard(patch)) {
    out = `${op}${to.version}`;
  } else if (to.prerelease.length > 0) {
    return null;
  } else if (minor === undefined || wildcard(minor)) {
    // "1", "1.x", "1.x.x": the major only.
    out = `${op}${to.major}${minor === undefined ? "" : `.${minor}`}${patch === undefined ? "" : `.${patch}`}`;
  } else {
    // "1.2", "1.2.x": major and minor.
    out = `${op}${to.major}.${to.minor}${patch === undefined ? "" : `.${patch}`}`;
  }
  return semver.satisfies(version, out, { includePrerelease: true }) ? out : null;
}
