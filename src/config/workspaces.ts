import { existsSync, readFileSync } from "node:fs";
import { join, posix } from "node:path";
import { parse as parseYaml } from "yaml";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";

/** One workspace package: its folder (relative to the root, `/`-separated) and its package.json. */
export interface Workspace {
  dir: string;
  manifest: Record<string, unknown>;
}

const MAX_WORKSPACES = 200;

/**
 * The workspaces of a JavaScript monorepo: the `workspaces` field of the root package.json (npm, Yarn,
 * Bun; an array or `{ packages: [...] }`) or `packages:` of `pnpm-workspace.yaml`. Patterns are folder
 * globs; `!` patterns exclude. Folders without a package.json, and anything under node_modules, are not
 * workspaces. Sorted by folder, at most MAX_WORKSPACES.
 */
export function listWorkspaces(root: string, rootManifest: Record<string, unknown>): Workspace[] {
  const patterns = workspacePatterns(root, rootManifest);
  const include = patterns.filter((p) => !p.startsWith("!")).map(normalize);
  const exclude = patterns.filter((p) => p.startsWith("!")).map((p) => new Bun.Glob(normalize(p.slice(1))));
  const dirs = new Set<string>();
  for (const pattern of include) {
    for (const path of new Bun.Glob(`${pattern}/${PACKAGE_JSON}`).scanSync({ cwd: root, onlyFiles: true })) {
      const dir = posix.dirname(path.split("\\").join("/"));
      if (dir === "." || dir.split("/").includes("node_modules") || exclude.some((g) => g.match(dir))) continue;
      dirs.add(dir);
      if (dirs.size >= MAX_WORKSPACES) break;
    }
  }
  return [...dirs].sort().flatMap((dir) => {
    const manifest = readManifest(join(root, dir, PACKAGE_JSON));
    return manifest ? [{ dir, manifest }] : [];
  });
}

function workspacePatterns(root: string, manifest: Record<string, unknown>): string[] {
  const field = manifest.workspaces;
  const list = Array.isArray(field) ? field : isRecord(field) && Array.isArray(field.packages) ? field.packages : null;
  if (list) return list.filter((p): p is string => typeof p === "string");
  const pnpm = join(root, "pnpm-workspace.yaml");
  if (!existsSync(pnpm)) return [];
  try {
    const doc: unknown = parseYaml(readFileSync(pnpm, "utf8"));
    const packages = isRecord(doc) ? doc.packages : null;
    return Array.isArray(packages) ? packages.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return [];
  }
}

/** `./packages/*` and `packages/*\/` are `packages/*`. */
function normalize(pattern: string): string {
  return pattern.replace(/^\.\//, "").replace(/\/+$/, "");
}

function readManifest(path: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, "utf8"));
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
