// @ts-check

/**
 * @typedef {object} Version
 * @property {number} major
 * @property {number} minor
 * @property {number} patch
 * @property {(string | number)[]} prerelease e.g. ["beta", 2] for "-beta.2"; empty for a release
 */

/** @typedef {"major" | "minor" | "patch"} Release */

const PATTERN = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Parses "1.2.3", "v1.2.3-rc.1" or "1.2.3+build.5" (build metadata is ignored).
 *
 * @param {string} text
 * @returns {Version}
 * @throws {TypeError} when the text is not a semantic version
 */
export function parse(text) {
  const match = PATTERN.exec(text.trim());
  if (!match) throw new TypeError(`not a semantic version: ${JSON.stringify(text)}`);
  const [, major, minor, patch, pre] = match;
  const prerelease = pre ? pre.split(".").map((id) => (/^\d+$/.test(id) ? Number(id) : id)) : [];
  return { major: Number(major), minor: Number(minor), patch: Number(patch), prerelease };
}

/**
 * @param {Version} version
 * @returns {string}
 */
export function format(version) {
  const core = `${version.major}.${version.minor}.${version.patch}`;
  return version.prerelease.length > 0 ? `${core}-${version.prerelease.join(".")}` : core;
}

/**
 * Orders two versions by semver precedence: -1, 0 or 1. A prerelease sorts before its release.
 *
 * @param {string} a
 * @param {string} b
 * @returns {-1 | 0 | 1}
 */
export function compare(a, b) {
  const x = parse(a);
  const y = parse(b);
  for (const key of /** @type {const} */ (["major", "minor", "patch"])) {
    if (x[key] !== y[key]) return x[key] < y[key] ? -1 : 1;
  }
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    return sign(y.prerelease.length - x.prerelease.length);
  }
  const length = Math.max(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < length; i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === q) continue;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (typeof p !== typeof q) return typeof p === "number" ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * The next version for a release type; a prerelease of the same version is released as is
 * ("2.0.0-rc.1" bumped as major is "2.0.0").
 *
 * @param {string} text
 * @param {Release} release
 * @returns {string}
 */
export function bump(text, release) {
  const v = parse(text);
  const pre = v.prerelease.length > 0;
  if (release === "major") {
    const stay = pre && v.minor === 0 && v.patch === 0;
    return format({ major: stay ? v.major : v.major + 1, minor: 0, patch: 0, prerelease: [] });
  }
  if (release === "minor") {
    const stay = pre && v.patch === 0;
    return format({ ...v, minor: stay ? v.minor : v.minor + 1, patch: 0, prerelease: [] });
  }
  if (release === "patch") return format({ ...v, patch: pre ? v.patch : v.patch + 1, prerelease: [] });
  throw new TypeError(`unknown release type: ${JSON.stringify(release)}`);
}

/**
 * @param {number} n
 * @returns {-1 | 0 | 1}
 */
function sign(n) {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
