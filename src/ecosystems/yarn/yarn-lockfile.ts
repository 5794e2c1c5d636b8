import { parseSyml } from "@yarnpkg/parsers";
import { dependencyNames, entryOf, LockfileError, recordOf, splitNameAndSpec, stringOf, withDependencies, type LockedPackage } from "../common/lockfile.ts";

const V1_HEADER = /^(#.*(\r?\n))*?#\s+yarn\s+lockfile\s+v1\r?\n/i;
const METADATA = "__metadata";
// v1 records no peers; Berry records optional dependencies in `dependencies` (marked in `dependenciesMeta`).
const EDGE_SECTIONS = ["dependencies", "optionalDependencies", "peerDependencies"];

/**
 * yarn.lock, read with Yarn's own parser: v1 (`version`, `resolved` with its `#sha1`, `integrity`) and
 * Berry (`__metadata`; `resolution: "name@npm:1.2.3"`, `checksum`). An entry keyed by several selectors
 * ("a@^1, a@^1.2") is one package per selector, so regrouping selectors changes no key.
 */
export function parseYarnLockfile(text: string, fileName: string): LockedPackage[] {
  const parsed = parseDocument(text, fileName);
  const berry = parsed[METADATA] !== undefined;
  const out: LockedPackage[] = [];
  for (const [keys, value] of Object.entries(parsed)) {
    if (keys === METADATA) continue;
    const entry = entryOf(value, keys, fileName);
    const locked = berry ? berryEntry(entry, keys, fileName) : classicEntry(entry, keys, fileName);
    for (const selector of keys.split(",").map((s) => s.trim()).filter((s) => s !== "")) out.push({ key: selector, ...locked(selector) });
  }
  return out;
}

function parseDocument(text: string, fileName: string): Record<string, unknown> {
  // Yarn reads a lockfile without the v1 header as YAML (Berry): a headerless v1 file is still v1.
  const berry = /^__metadata:/m.test(text);
  const source = berry || V1_HEADER.test(text) ? text : `# yarn lockfile v1\n${text}`;
  let value: unknown;
  try {
    value = parseSyml(source);
  } catch (err) {
    throw new LockfileError(fileName, `does not parse (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
  }
  const object = recordOf(value);
  if (!object) throw new LockfileError(fileName, "not a mapping of packages");
  return object;
}

type Locked = (selector: string) => Omit<LockedPackage, "key">;

function classicEntry(entry: Record<string, unknown>, keys: string, fileName: string): Locked {
  const version = stringOf(entry.version);
  if (version === null) throw new LockfileError(fileName, `the entry ${JSON.stringify(keys)} has no version`);
  const resolved = stringOf(entry.resolved);
  const integrity = stringOf(entry.integrity);
  const edges = dependencyNames(entry, EDGE_SECTIONS);
  return (selector) => ({ name: classicName(selector), version, resolved, integrity, ...withDependencies(edges) });
}

/** "alias@npm:real@^1" installs `real`; "a@^1" installs `a`. */
function classicName(selector: string): string {
  const { name, spec } = splitNameAndSpec(selector);
  if (!spec.startsWith("npm:")) return name;
  const target = splitNameAndSpec(spec.slice(4));
  return target.spec === "" ? name : target.name;
}

function berryEntry(entry: Record<string, unknown>, keys: string, fileName: string): Locked {
  const resolution = stringOf(entry.resolution);
  if (resolution === null) throw new LockfileError(fileName, `the entry ${JSON.stringify(keys)} has no resolution`);
  const { name, spec } = splitNameAndSpec(resolution);
  if (spec === "") throw new LockfileError(fileName, `the resolution ${JSON.stringify(resolution)} names no source`);
  const locked = { name, version: stringOf(entry.version), resolved: spec, integrity: stringOf(entry.checksum) };
  const edges = dependencyNames(entry, EDGE_SECTIONS);
  return () => ({ ...locked, ...withDependencies(edges) });
}
