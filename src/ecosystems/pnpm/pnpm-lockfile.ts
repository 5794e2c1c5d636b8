import { posix } from "node:path";
import { parse as parseYaml } from "yaml";
import { entryOf, LockfileError, recordOf, sectionOf, splitNameAndSpec, stringOf, withDependencies, type LockedPackage } from "../common/lockfile.ts";

const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies", "optionalDependencies"];
// pnpm writes these versions in importers for local packages, which have no `packages` entry.
const LOCAL_VERSION = /^(link|file):/;
// A package's edges: `peerDependencies` holds ranges, the others the versions (or keys) they resolve to.
const EDGE_SECTIONS = ["dependencies", "optionalDependencies", "peerDependencies"];
// v9 writes an alias's resolution `real@1.0.0`: a name and "@" before any peer suffix (a version, URL or `link:` has none).
const ALIASED_REF = /^(@[^/@:(]+\/)?[^/@:(]+@/;

/**
 * pnpm-lock.yaml, lockfile versions 5.x (`/name/1.0.0_peer`), 6 (`/name@1.0.0(peer)`) and 9
 * (`name@1.0.0`, peers in `snapshots`, which pin no source: only their edges are read). Each `packages` entry's
 * `resolution` says where it comes from: `{integrity}` (the registry), `{tarball}`, `{type: git, repo,
 * commit}`, `{type: directory, directory}`. Importers' `link:`/`file:` versions are read too: they
 * point a dependency at a folder with no entry of its own. An entry's `dependencies` are its
 * dependencies, optional and peer dependencies, read from the entry (v5, v6) and from its snapshots (v9:
 * one per peer context, merged); importers are not packages and get none.
 */
export function parsePnpmLockfile(text: string, fileName: string): LockedPackage[] {
  const parsed = parseDocument(text, fileName);
  const v5 = String(parsed.lockfileVersion ?? "").startsWith("5");
  // Leniently: snapshots pin no source, so a malformed one costs only edges.
  const snapshots = snapshotsByPackage(recordOf(parsed.snapshots) ?? {});
  const packages = Object.entries(sectionOf(parsed, "packages", fileName)).map(([key, value]) => {
    const entry = entryOf(value, key, fileName);
    return { ...fromPackage(key, entry, v5, fileName), ...withDependencies([entry, ...(snapshots.get(key) ?? [])].flatMap((e) => edgeNames(e, v5))) };
  });
  return [...packages, ...importerLinks(parsed, fileName)];
}

function parseDocument(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    // Duplicate keys are an error here (yaml's default): two readings of one entry is no lockfile to trust.
    value = parseYaml(text);
  } catch (err) {
    throw new LockfileError(fileName, `not valid YAML (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
  }
  const object = recordOf(value);
  if (!object) throw new LockfileError(fileName, "not a YAML mapping");
  if (object.lockfileVersion === undefined) throw new LockfileError(fileName, "no lockfileVersion");
  return object;
}

function fromPackage(key: string, entry: Record<string, unknown>, v5: boolean, fileName: string): LockedPackage {
  const fromKey = key.startsWith("/") ? nameAndVersionOfKey(key.slice(1), v5) : v5 ? null : nameAndVersionOfKey(key, false);
  const resolution = recordOf(entry.resolution);
  if (!resolution) throw new LockfileError(fileName, `the entry ${JSON.stringify(key)} has no resolution`);
  return {
    key,
    name: stringOf(entry.name) ?? fromKey?.name ?? key,
    version: versionText(entry.version) ?? fromKey?.version ?? null,
    resolved: resolvedOf(resolution),
    integrity: stringOf(resolution.integrity),
  };
}

/** v5: "@s/a/1.0.0_peer@2" -> @s/a, 1.0.0; v6 and v9: "@s/a@1.0.0(peer@2)" -> @s/a, 1.0.0. */
function nameAndVersionOfKey(key: string, v5: boolean): { name: string; version: string | null } {
  if (v5) {
    const segments = key.split("/");
    const nameLength = key.startsWith("@") ? 2 : 1;
    const version = segments.slice(nameLength).join("/");
    return { name: segments.slice(0, nameLength).join("/"), version: version.split("_")[0] || null };
  }
  const { name, spec } = splitNameAndSpec(key);
  return { name, version: stripPeers(spec) || null };
}

function stripPeers(version: string): string {
  const paren = version.indexOf("(");
  return paren === -1 ? version : version.slice(0, paren);
}

/** v9 `snapshots` keyed by the `packages` key they are a peer context of ("a@1.0.0(react@18.0.0)" -> "a@1.0.0"). */
function snapshotsByPackage(snapshots: Record<string, unknown>): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const [key, value] of Object.entries(snapshots)) {
    const snapshot = recordOf(value);
    if (!snapshot) continue;
    const { name, spec } = splitNameAndSpec(key);
    const packageKey = `${name}@${stripPeers(spec)}`;
    out.set(packageKey, [...(out.get(packageKey) ?? []), snapshot]);
  }
  return out;
}

/**
 * The names an entry's edge sections install. A dependency resolves to a version (`1.0.0(peer@2)`) or, for
 * an alias, to the real package: `/real/1.0.0` (v5), `/real@1.0.0` (v6), `real@1.0.0` (v9).
 */
function edgeNames(entry: Record<string, unknown>, v5: boolean): string[] {
  const out: string[] = [];
  for (const section of EDGE_SECTIONS) {
    for (const [name, ref] of Object.entries(recordOf(entry[section]) ?? {})) {
      const text = section === "peerDependencies" ? null : versionText(ref);
      if (text?.startsWith("/")) out.push(nameAndVersionOfKey(text.slice(1), v5).name);
      else if (text !== null && !v5 && ALIASED_REF.test(stripPeers(text))) out.push(splitNameAndSpec(text).name);
      else out.push(name);
    }
  }
  return out;
}

/** A version pnpm may have written as a YAML number (`version: 1.0`). */
function versionText(value: unknown): string | null {
  return typeof value === "number" ? String(value) : stringOf(value);
}

function resolvedOf(resolution: Record<string, unknown>): string | null {
  const tarball = stringOf(resolution.tarball);
  if (tarball !== null) return tarball;
  if (resolution.type === "git") {
    const repo = stringOf(resolution.repo) ?? "";
    return `${repo.startsWith("git") ? "" : "git+"}${repo}#${stringOf(resolution.commit) ?? ""}`;
  }
  if (resolution.type === "directory") return `file:${stringOf(resolution.directory) ?? ""}`;
  const other = stringOf(resolution.type);
  return other === null ? null : `${other}:${JSON.stringify(resolution)}`;
}

/** Importers (v6+; the root's own sections in v5) whose version is `link:`/`file:`, keyed by importer and dependency. */
function importerLinks(parsed: Record<string, unknown>, fileName: string): LockedPackage[] {
  const listed = sectionOf(parsed, "importers", fileName);
  const importers = Object.keys(listed).length > 0 ? listed : { ".": parsed };
  const out: LockedPackage[] = [];
  for (const [dir, value] of Object.entries(importers)) {
    const importer = entryOf(value, dir, fileName);
    for (const section of DEPENDENCY_SECTIONS) {
      for (const [name, dep] of Object.entries(sectionOf(importer, section, fileName))) {
        const version = versionText(recordOf(dep)?.version ?? dep);
        if (version === null || !LOCAL_VERSION.test(version)) continue;
        out.push({ key: `importers/${dir}/${section}/${name}`, name, version: null, resolved: relativeToLockfile(dir, version), integrity: null });
      }
    }
  }
  return out;
}

/** `link:../b` in importer `packages/a` is `link:packages/b` from the lockfile's folder. */
function relativeToLockfile(importer: string, version: string): string {
  const colon = version.indexOf(":");
  const path = version.slice(colon + 1);
  if (path.startsWith("/")) return version;
  return `${version.slice(0, colon + 1)}${posix.normalize(posix.join(importer, path))}`;
}
