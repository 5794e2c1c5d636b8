import { posix } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import type { LockfileParser } from "../ecosystems/common/api.ts";
import { MAX_LOCKFILE_BYTES, recordOf } from "../ecosystems/common/lockfile.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { detectEcosystem } from "../ecosystems/detect.ts";
import type { EcosystemId } from "../ecosystems/registry.ts";
import { CheckoutFiles, joinRelative } from "./checkout-files.ts";
import { classifySpec, SECTION_TYPES, type DependencyType } from "./dependency-spec.ts";
import { lockIndex, type LockIndex } from "./locked-versions.ts";
import { workspaceFolders, workspacePatterns } from "./workspaces.ts";

/**
 * Every manifest of a repository (the root package.json and its workspaces') and each of its registry
 * dependencies with its type and the version the lockfile installs. Reads a checkout's files as data and
 * runs nothing: manifests, the workspace file and the lockfile are untrusted, so each read is bounded, a
 * file reached through a link leading out of the checkout is not read, and what does not parse is left out
 * with a note instead of failing the rest.
 */
export type { DependencyType };

export interface Manifest {
  /** Relative to the checkout: "package.json", "packages/a/package.json". */
  path: string;
  /** Its folder, relative ("" for the root). */
  dir: string;
  /** Its `name`, if it has a string one. */
  packageName: string | null;
  kind: "root" | "workspace";
}

export interface ExtractedDependency {
  /** The registry package (an `npm:` alias's target). */
  name: string;
  /** The manifest's key when it is an alias of `name`, else null. */
  alias: string | null;
  type: DependencyType;
  /** The range as the manifest writes it (after `npm:real@` for an alias). */
  range: string;
  /** What the lockfile installs for it here; null without a (readable) lockfile or an entry for it. */
  lockedVersion: string | null;
  manifestPath: string;
}

export interface SkippedSpec {
  /** The manifest's key. */
  name: string;
  type: DependencyType;
  spec: string;
  manifestPath: string;
  reason: string;
}

export interface Extraction {
  ecosystem: EcosystemId;
  /** The lockfile read (relative), or null when there is none. */
  lockfile: string | null;
  /** Why the lockfile's versions are unknown (unreadable, a binary bun.lockb...), or null. */
  lockfileProblem: string | null;
  /** The root manifest's `engines.node`, or null. */
  engineNode: string | null;
  manifests: Manifest[];
  dependencies: ExtractedDependency[];
  skipped: SkippedSpec[];
  notes: string[];
}

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_DEPENDENCIES_PER_SECTION = 10_000;
const MAX_SPEC_SHOWN = 200;

/** Throws a PushpalsError (`invalid_input`) only when the root package.json is absent or unreadable. */
export async function extractDependencies(checkoutDir: string): Promise<Extraction> {
  const files = new CheckoutFiles(checkoutDir);
  const notes: string[] = [];
  const root = readManifest(files, PACKAGE_JSON);
  if (!root.ok) throw new PushpalsError("invalid_input", `${root.why}: the repository's root package.json is where its dependencies are declared`, { field: PACKAGE_JSON });

  const packageManagerField = typeof root.json.packageManager === "string" ? root.json.packageManager : "";
  const detection = detectEcosystem(files.root, packageManagerField);
  const ecosystem = detection.ecosystem;
  const { patterns, source } = workspacePatterns(files, root.json, ecosystem.id === "pnpm", notes);
  const workspaces = workspaceFolders(files, patterns, source, notes);

  const manifests: { manifest: Manifest; json: Record<string, unknown> }[] = [{ manifest: { path: PACKAGE_JSON, dir: "", packageName: nameOf(root.json), kind: "root" }, json: root.json }];
  for (const dir of workspaces.folders) {
    const path = joinRelative(dir, PACKAGE_JSON);
    const read = readManifest(files, path);
    if (!read.ok) {
      notes.push(read.why);
      continue;
    }
    manifests.push({ manifest: { path, dir, packageName: nameOf(read.json), kind: "workspace" }, json: read.json });
  }
  const workspaceNames = new Set(manifests.map((m) => m.manifest.packageName).filter((n): n is string => n !== null));

  const lock = await readLockfile(files, ecosystem.id, detection.lockfile ?? null, ecosystem.loadLockfileParser, notes);
  const dependencies: ExtractedDependency[] = [];
  const skipped: SkippedSpec[] = [];
  for (const { manifest, json } of manifests) {
    for (const [section, type] of SECTION_TYPES) {
      const table = json[section];
      if (table === undefined || table === null) continue;
      const entries = recordOf(table);
      if (!entries) {
        notes.push(`${manifest.path}: "${section}" is not an object (not read)`);
        continue;
      }
      const keys = Object.keys(entries);
      if (keys.length > MAX_DEPENDENCIES_PER_SECTION) notes.push(`${manifest.path}: only the first ${MAX_DEPENDENCIES_PER_SECTION} of "${section}" are read`);
      for (const key of keys.slice(0, MAX_DEPENDENCIES_PER_SECTION)) {
        const spec = entries[key];
        const shown = typeof spec === "string" ? spec.slice(0, MAX_SPEC_SHOWN) : JSON.stringify(spec)?.slice(0, MAX_SPEC_SHOWN) ?? "";
        const skip = (reason: string) => skipped.push({ name: key.slice(0, MAX_SPEC_SHOWN), type, spec: shown, manifestPath: manifest.path, reason });
        const verdict = classifySpec(key, spec);
        if (!verdict.registry) {
          skip(verdict.reason);
          continue;
        }
        const locked = lock.index?.({ key, spec: spec as string, type, dir: manifest.dir, packageName: manifest.packageName }) ?? null;
        if (locked?.local) {
          skip("linked to a folder of the repository by the lockfile");
          continue;
        }
        // npm, Yarn and Bun link a workspace's own package when its version satisfies the range.
        if (verdict.alias === null && workspaceNames.has(verdict.name) && (locked === null || locked.version === null)) {
          skip("a workspace package of the repository");
          continue;
        }
        dependencies.push({ name: verdict.name, alias: verdict.alias, type, range: verdict.range, lockedVersion: locked?.version ?? null, manifestPath: manifest.path });
      }
    }
  }
  return {
    ecosystem: ecosystem.id,
    lockfile: lock.path,
    lockfileProblem: lock.problem,
    engineNode: engineNode(root.json),
    manifests: manifests.map((m) => m.manifest),
    dependencies,
    skipped,
    notes,
  };
}

type ManifestRead = { ok: true; json: Record<string, unknown> } | { ok: false; why: string };

function readManifest(files: CheckoutFiles, path: string): ManifestRead {
  const read = files.read(path, MAX_MANIFEST_BYTES);
  if (!read.ok) return { ok: false, why: read.why };
  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch {
    return { ok: false, why: `${path}: not valid JSON (not read)` };
  }
  const json = recordOf(value);
  return json ? { ok: true, json } : { ok: false, why: `${path}: not a JSON object (not read)` };
}

async function readLockfile(
  files: CheckoutFiles,
  ecosystem: EcosystemId,
  path: string | null,
  load: () => Promise<LockfileParser>,
  notes: string[],
): Promise<{ path: string | null; problem: string | null; index: LockIndex | null }> {
  if (path === null) return { path: null, problem: null, index: null };
  const read = files.read(path, MAX_LOCKFILE_BYTES);
  if (!read.ok) {
    notes.push(read.why);
    return { path, problem: read.why, index: null };
  }
  try {
    const parse = await load();
    return { path, problem: null, index: lockIndex(ecosystem, parse(read.text, posix.basename(path)), read.text) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    notes.push(`${why} (the locked versions are unknown)`);
    return { path, problem: why, index: null };
  }
}

function nameOf(json: Record<string, unknown>): string | null {
  return typeof json.name === "string" && json.name !== "" && json.name.length <= 214 ? json.name : null;
}

function engineNode(json: Record<string, unknown>): string | null {
  const node = recordOf(json.engines)?.node;
  return typeof node === "string" && node.trim() !== "" && node.length <= 1024 ? node.trim() : null;
}
