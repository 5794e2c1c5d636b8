import { posix } from "node:path";
import { dirOf, type ClassificationInput, type ManifestChange } from "./classify-input.ts";
import { canonicalJson } from "./canonical-json.ts";
import { RULES } from "./rule-ids.ts";
import type { RiskReason } from "./tiers.ts";

/** package.json fields that say what a package exposes. */
export const API_FIELDS = ["name", "main", "module", "types", "typings", "browser", "exports", "bin"] as const;
const ENTRY_FIELDS = ["main", "module", "types", "typings", "browser", "exports", "bin"] as const;
const DECLARATION = /\.d\.[cm]?ts$/;
const INDEX = /^index\.[^/]+$/;

/**
 * The package's public surface changed: an API field of a package.json, a type declaration file, an
 * `index.*` at a package root, or a file an entry field (main, exports...) points at. Medium.
 */
export function publicApiRule(input: ClassificationInput, manifests: readonly ManifestChange[]): RiskReason[] {
  const messages: string[] = [];
  const paths = new Set<string>();
  for (const m of manifests) {
    const fields = changedApiFields(m);
    if (fields.length === 0) continue;
    messages.push(`${m.path} ${fields.join(", ")}`);
    paths.add(m.path);
  }
  const roots = new Set(input.packageRoots ?? ["", ...manifests.map((m) => dirOf(m.path))]);
  const entry = entryMatcher(manifests);
  for (const f of input.files) {
    for (const p of f.oldPath === undefined ? [f.path] : [f.path, f.oldPath]) {
      const atRoot = roots.has(dirOf(p)) && INDEX.test(posix.basename(p));
      if (DECLARATION.test(p) || atRoot || entry(p)) paths.add(p);
    }
  }
  const files = [...paths].filter((p) => !manifests.some((m) => m.path === p));
  if (files.length > 0) messages.push(`entry points or type declarations ${files.sort().join(", ")}`);
  if (messages.length === 0) return [];
  return [{ rule: RULES.publicApi, tier: "medium", message: `changes the public API: ${messages.join("; ")}`, paths: [...paths].sort() }];
}

function changedApiFields(m: ManifestChange): string[] {
  // A package that appears or disappears changes the API as a whole.
  if (m.before === null || m.after === null) return m.before === m.after ? [] : [m.before === null ? "(new package)" : "(package removed)"];
  return API_FIELDS.filter((field) => canonicalJson(m.before?.[field] ?? null) !== canonicalJson(m.after?.[field] ?? null));
}

/** Matches the files an entry field of any manifest (either side) points at; `*` in an exports pattern spans directories. */
function entryMatcher(manifests: readonly ManifestChange[]): (path: string) => boolean {
  const patterns: RegExp[] = [];
  for (const m of manifests) {
    const dir = dirOf(m.path);
    for (const side of [m.before, m.after]) {
      if (!side) continue;
      for (const field of ENTRY_FIELDS) {
        for (const target of stringsIn(side[field])) {
          const rel = posix.normalize(posix.join(dir, target));
          if (rel.startsWith("..")) continue;
          const source = rel.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*");
          patterns.push(new RegExp(`^${source}$`));
        }
      }
    }
  }
  return (path) => patterns.some((re) => re.test(path));
}

/** Every string value in a field (exports nest conditions and subpaths; bin may be a table). */
function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}
