import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { INSTALL_FIELDS, INSTALL_SCRIPTS, PACKAGE_JSON, WORKSPACE_PACKAGE_FIELDS } from "../ecosystems/common/package-json.ts";

/**
 * The part of the cache key that comes from the manifests: only what an install reads from them, of
 * every manifest it reads (the root package.json and each workspace package's). A `description`, the
 * root's `version` or a `test` script change keeps the key; a dependency, override, workspace or
 * engine change makes a new one (and a frozen install then refuses a lockfile that did not follow).
 * Lifecycle scripts count only when the install runs them. A manifest that does not parse counts whole.
 */
export function manifestsSha256(dir: string, options: { allowScripts: boolean }): string {
  const hash = createHash("sha256");
  const root = readManifest(dir, PACKAGE_JSON);
  hash.update(`${PACKAGE_JSON}\0${installView(root, INSTALL_FIELDS, options.allowScripts)}\n`);
  for (const rel of workspaceManifests(dir, root)) {
    hash.update(`${rel}\0${installView(readManifest(dir, rel), [...INSTALL_FIELDS, ...WORKSPACE_PACKAGE_FIELDS], options.allowScripts)}\n`);
  }
  return hash.digest("hex");
}

type ManifestRead = { json: Record<string, unknown> } | { raw: string } | null;

function readManifest(dir: string, rel: string): ManifestRead {
  const path = join(dir, rel);
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return null;
  // Never followed: a link could point anywhere on the host.
  if (stat.isSymbolicLink()) return { raw: `link:${readlinkSync(path)}` };
  if (!stat.isFile()) return { raw: "not a file" };
  const text = readFileSync(path, "utf8");
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? { json: value } : { raw: text };
  } catch {
    return { raw: text };
  }
}

function installView(manifest: ManifestRead, fields: readonly string[], allowScripts: boolean): string {
  if (manifest === null) return "missing";
  if ("raw" in manifest) return `raw\0${manifest.raw}`;
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (manifest.json[field] !== undefined) picked[field] = manifest.json[field];
  const scripts = manifest.json.scripts;
  if (allowScripts && isObject(scripts)) {
    const run = Object.fromEntries(INSTALL_SCRIPTS.filter((name) => scripts[name] !== undefined).map((name) => [name, scripts[name]]));
    if (Object.keys(run).length > 0) picked.scripts = run;
  }
  return canonicalJson(picked);
}

/**
 * The workspace packages' manifests, relative and sorted: the root's `workspaces` (npm, Yarn, Bun: a list
 * of globs or `{ packages }`) and pnpm-workspace.yaml's `packages`; `!glob` excludes. Globs that climb out
 * of the checkout are ignored, and nothing under node_modules counts.
 */
export function workspaceManifests(dir: string, root: ManifestRead): string[] {
  const patterns = [...workspaceGlobs(root), ...pnpmWorkspaceGlobs(dir)].filter(isContained);
  const excluded = patterns.filter((p) => p.startsWith("!")).map((p) => new Bun.Glob(`${trimSlash(p.slice(1))}/${PACKAGE_JSON}`));
  const found = new Set<string>();
  for (const pattern of patterns.filter((p) => !p.startsWith("!"))) {
    const glob = new Bun.Glob(`${trimSlash(pattern)}/${PACKAGE_JSON}`);
    for (const rel of glob.scanSync({ cwd: dir, onlyFiles: false, followSymlinks: false })) {
      if (rel === PACKAGE_JSON || rel.split("/").includes("node_modules") || excluded.some((g) => g.match(rel))) continue;
      found.add(rel);
    }
  }
  return [...found].sort();
}

function workspaceGlobs(root: ManifestRead): string[] {
  if (!root || !("json" in root)) return [];
  const field = root.json.workspaces;
  const list = Array.isArray(field) ? field : isObject(field) && Array.isArray(field.packages) ? field.packages : [];
  return list.filter((p): p is string => typeof p === "string");
}

function pnpmWorkspaceGlobs(dir: string): string[] {
  const path = join(dir, "pnpm-workspace.yaml");
  if (!lstatSync(path, { throwIfNoEntry: false })?.isFile()) return [];
  try {
    const doc: unknown = parseYaml(readFileSync(path, "utf8"));
    const packages = isObject(doc) ? doc.packages : undefined;
    return Array.isArray(packages) ? packages.filter((p): p is string => typeof p === "string") : [];
  } catch {
    // pnpm refuses it too; the file itself is in the key (install-inputs.ts).
    return [];
  }
}

function isContained(pattern: string): boolean {
  const path = pattern.startsWith("!") ? pattern.slice(1) : pattern;
  return path !== "" && !path.startsWith("/") && !path.split("/").includes("..");
}

function trimSlash(pattern: string): string {
  return pattern.replace(/^\.\//, "").replace(/\/+$/, "");
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** JSON with object keys sorted at every level: the same content always hashes the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}
