import { parse as parseYaml } from "yaml";
import { recordOf } from "../ecosystems/common/lockfile.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { CheckoutFiles, joinRelative } from "./checkout-files.ts";

/**
 * The workspace folders of a repository: package.json's `workspaces` (npm, Yarn, Bun: a list of globs, or
 * Yarn's `{ packages: [...] }`) or, for pnpm, pnpm-workspace.yaml's `packages`. Globs are matched against
 * the checkout's real folders (no links, no node_modules, no dot-folders), `!glob` excludes, and a glob
 * that would leave the checkout is ignored. Walks are bounded in depth and in folders visited.
 */
export interface WorkspaceFolders {
  /** Relative folders holding a package.json, sorted; never "" (the root). */
  folders: string[];
  /** Where the globs came from ("package.json workspaces", "pnpm-workspace.yaml"), or null. */
  source: string | null;
  notes: string[];
}

export const PNPM_WORKSPACE = "pnpm-workspace.yaml";
const MAX_PATTERNS = 1024;
const MAX_PATTERN_LENGTH = 1024;
const MAX_FOLDERS_VISITED = 20_000;
export const MAX_WORKSPACES = 2_000;
const MAX_DEPTH = 8;
const MAX_WORKSPACE_FILE_BYTES = 1024 * 1024;
const GLOB_CHAR = /[*?[\]{}!]/;

/** The workspace globs a root manifest or pnpm-workspace.yaml declares (raw, unchecked), and where from. */
export function workspacePatterns(files: CheckoutFiles, rootManifest: Record<string, unknown>, pnpm: boolean, notes: string[]): { patterns: unknown[]; source: string | null } {
  if (pnpm) {
    const read = files.read(PNPM_WORKSPACE, MAX_WORKSPACE_FILE_BYTES);
    if (!read.ok) {
      if (!read.missing) notes.push(read.why);
      return { patterns: [], source: null };
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(read.text, { maxAliasCount: 100 });
    } catch {
      notes.push(`${PNPM_WORKSPACE}: not valid YAML (its workspaces are not read)`);
      return { patterns: [], source: null };
    }
    const packages = recordOf(parsed)?.packages;
    return { patterns: Array.isArray(packages) ? packages : [], source: PNPM_WORKSPACE };
  }
  const field = rootManifest.workspaces;
  const list = Array.isArray(field) ? field : recordOf(field)?.packages;
  if (field !== undefined && !Array.isArray(list)) notes.push(`${PACKAGE_JSON}: "workspaces" is neither a list of globs nor { "packages": [...] } (not read)`);
  return { patterns: Array.isArray(list) ? list : [], source: Array.isArray(list) ? `${PACKAGE_JSON} workspaces` : null };
}

export function workspaceFolders(files: CheckoutFiles, rawPatterns: unknown[], source: string | null, notes: string[]): WorkspaceFolders {
  const include: string[] = [];
  const exclude: string[] = [];
  for (const raw of rawPatterns.slice(0, MAX_PATTERNS)) {
    const pattern = normalizePattern(raw);
    if (pattern === null) {
      notes.push(`${source}: the workspace glob ${JSON.stringify(String(raw).slice(0, 200))} is not a folder glob inside the repository (ignored)`);
      continue;
    }
    if (pattern.negated) exclude.push(pattern.glob);
    else include.push(pattern.glob);
  }
  if (rawPatterns.length > MAX_PATTERNS) notes.push(`${source}: only the first ${MAX_PATTERNS} workspace globs are read`);
  const excluded = exclude.map((g) => new Bun.Glob(g));
  const found = new Set<string>();
  const budget = { folders: MAX_FOLDERS_VISITED };
  for (const glob of include) {
    const matcher = new Bun.Glob(glob);
    const segments = glob.split("/");
    const fixed = segments.findIndex((s) => GLOB_CHAR.test(s));
    const prefix = (fixed === -1 ? segments : segments.slice(0, fixed)).join("/");
    const depth = fixed === -1 ? 0 : segments.includes("**") ? MAX_DEPTH : segments.length - fixed;
    walk(files, prefix, depth, budget, (folder) => {
      if (folder === "" || !matcher.match(folder) || excluded.some((e) => e.match(folder))) return;
      const manifest = files.locate(joinRelative(folder, PACKAGE_JSON));
      if (manifest.kind === "file") found.add(folder);
      else if (manifest.kind === "refused" && !notes.includes(manifest.why)) notes.push(manifest.why);
    });
  }
  if (budget.folders <= 0) notes.push(`workspaces: stopped looking after ${MAX_FOLDERS_VISITED} folders`);
  const folders = [...found].sort();
  if (folders.length > MAX_WORKSPACES) notes.push(`workspaces: only the first ${MAX_WORKSPACES} of ${folders.length} are read`);
  return { folders: folders.slice(0, MAX_WORKSPACES), source, notes };
}

function walk(files: CheckoutFiles, folder: string, depth: number, budget: { folders: number }, visit: (folder: string) => void): void {
  if (budget.folders-- <= 0) return;
  visit(folder);
  if (depth <= 0) return;
  for (const name of files.subfolders(folder)) walk(files, joinRelative(folder, name), depth - 1, budget, visit);
}

function normalizePattern(raw: unknown): { glob: string; negated: boolean } | null {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_PATTERN_LENGTH) return null;
  const negated = raw.startsWith("!");
  let glob = (negated ? raw.slice(1) : raw).trim().replaceAll("\\", "/");
  while (glob.startsWith("./")) glob = glob.slice(2);
  glob = glob.replace(/\/package\.json$/, "").replace(/\/+$/, "");
  if (glob === "" || glob.startsWith("/") || glob.split("/").some((s) => s === ".." || s === "." || s === "")) return null;
  return { glob, negated };
}
