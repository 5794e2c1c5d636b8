import { dependencyNames, entryOf, LockfileError, recordOf, sectionOf, stringOf, withDependencies, type LockedPackage } from "../common/lockfile.ts";

const NODE_MODULES = "node_modules/";
// In a v1 entry (and a v2 lockfile's v1 section) a version with a protocol is where the package comes from.
const SPEC_VERSION = /^[a-z][a-z0-9+.-]*:/i;
// A `packages` entry's own edges (a workspace's devDependencies are its own install, not an edge).
const EDGE_SECTIONS = ["dependencies", "optionalDependencies", "peerDependencies"];

/**
 * package-lock.json and npm-shrinkwrap.json: `packages` keyed by install path (v2, v3), `dependencies`
 * nested by name (v1). A v2 lockfile has both, for npm 6 and npm 7+: both are read, the v1 section's
 * keys marked, so a change to either shows.
 */
export function parseNpmLockfile(text: string, fileName: string): LockedPackage[] {
  const parsed = parseJsonObject(text, fileName);
  const version = parsed.lockfileVersion;
  if (version !== undefined && typeof version !== "number") throw new LockfileError(fileName, "lockfileVersion is not a number");
  const packages = sectionOf(parsed, "packages", fileName);
  const legacy = sectionOf(parsed, "dependencies", fileName);
  const out = fromPackages(packages, fileName);
  const hasPackages = Object.keys(packages).length > 0;
  out.push(...fromDependencies(legacy, "", fileName, hasPackages ? " (dependencies)" : ""));
  return out;
}

function parseJsonObject(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new LockfileError(fileName, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const object = recordOf(value);
  if (!object) throw new LockfileError(fileName, "not a JSON object");
  return object;
}

function fromPackages(packages: Record<string, unknown>, fileName: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const [key, value] of Object.entries(packages)) {
    if (key === "") continue;
    const entry = entryOf(value, key, fileName);
    const resolved = stringOf(entry.resolved);
    out.push({
      key,
      name: stringOf(entry.name) ?? nameFromPath(key),
      version: stringOf(entry.version),
      // A link's `resolved` is the folder it points at, relative to the lockfile.
      resolved: entry.link === true && resolved !== null ? `link:${resolved}` : resolved,
      integrity: stringOf(entry.integrity),
      ...withDependencies(dependencyNames(entry, EDGE_SECTIONS)),
    });
  }
  return out;
}

/**
 * v1: `{ name: { version, resolved, integrity, requires: {...}, dependencies: {...} } }`, keyed here by
 * install path as v2 does. `requires` is the entry's edges; its `dependencies` are the copies nested under it.
 */
function fromDependencies(deps: Record<string, unknown>, parent: string, fileName: string, mark: string): LockedPackage[] {
  const out: LockedPackage[] = [];
  for (const [name, value] of Object.entries(deps)) {
    const entry = entryOf(value, name, fileName);
    const path = `${parent}${NODE_MODULES}${name}`;
    const version = stringOf(entry.version);
    const spec = version !== null && SPEC_VERSION.test(version) ? version : null;
    out.push({ key: `${path}${mark}`, name: aliasTarget(version) ?? name, version, resolved: stringOf(entry.resolved) ?? spec, integrity: stringOf(entry.integrity), ...withDependencies(dependencyNames(entry, ["requires"])) });
    out.push(...fromDependencies(sectionOf(entry, "dependencies", fileName), `${path}/`, fileName, mark));
  }
  return out;
}

/** v1 records an alias as `"version": "npm:real@1.0.0"`. */
function aliasTarget(version: string | null): string | null {
  if (!version?.startsWith("npm:")) return null;
  const rest = version.slice(4);
  const at = rest.indexOf("@", rest.startsWith("@") ? 1 : 0);
  return at > 0 ? rest.slice(0, at) : null;
}

/** "node_modules/a/node_modules/@s/b" -> "@s/b"; a workspace folder ("packages/x") is named by its last segment. */
function nameFromPath(key: string): string {
  const at = key.lastIndexOf(NODE_MODULES);
  return at === -1 ? (key.split("/").at(-1) ?? key) : key.slice(at + NODE_MODULES.length);
}
