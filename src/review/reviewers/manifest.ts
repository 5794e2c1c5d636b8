import { posix } from "node:path";
import { DEPENDENCY_SECTIONS, LOCKFILE_FIELDS, PACKAGE_JSON } from "../../ecosystems/common/package-json.ts";
import { LOCKFILE_NAMES } from "../../ecosystems/registry.ts";
import { addedLines, type DiffFile } from "../diff-types.ts";

const LOCKFILES = new Set(LOCKFILE_NAMES);

type Manifest = Record<string, unknown>;
export type ManifestSides = { ok: true; old: Manifest | null; new: Manifest | null } | { ok: false; reason: string };

export function isManifest(file: DiffFile): boolean {
  return [file.path, file.oldPath].some((p) => p !== null && posix.basename(p) === PACKAGE_JSON);
}

export function isLockfile(file: DiffFile): boolean {
  return [file.path, file.oldPath].some((p) => p !== null && LOCKFILES.has(posix.basename(p)));
}

/** Both sides of a package.json, parsed; `ok: false` when they were not loaded or are not JSON objects. */
export function readManifest(file: DiffFile): ManifestSides {
  if (!file.contents) return { ok: false, reason: "its contents were not loaded with the diff" };
  const parse = (text: string | null): Manifest | null | Error => {
    if (text === null) return null;
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Manifest) : new Error("not a JSON object");
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  };
  const before = file.status === "added" ? null : parse(file.contents.old);
  const after = file.status === "deleted" ? null : parse(file.contents.new);
  if (before instanceof Error) return { ok: false, reason: `the base version is not valid: ${before.message}` };
  if (after instanceof Error) return { ok: false, reason: `it is not valid JSON: ${after.message}` };
  return { ok: true, old: before, new: after };
}

function section(manifest: Manifest | null, name: string): Record<string, unknown> {
  const value = manifest?.[name];
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Dependency name -> the first section that lists it. */
export function dependencies(manifest: Manifest | null): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of DEPENDENCY_SECTIONS) {
    for (const name of Object.keys(section(manifest, s))) if (!names.has(name)) names.set(name, s);
  }
  return names;
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** Names whose entry differs between the sides, in any dependency section. */
export function changedDependencies(sides: { old: Manifest | null; new: Manifest | null }): string[] {
  const changed = new Set<string>();
  for (const s of DEPENDENCY_SECTIONS) {
    const before = section(sides.old, s);
    const after = section(sides.new, s);
    for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (canonical(before[name]) !== canonical(after[name])) changed.add(name);
    }
  }
  return [...changed];
}

export function installFieldsChanged(sides: { old: Manifest | null; new: Manifest | null }): boolean {
  return LOCKFILE_FIELDS.some((field) => canonical(sides.old?.[field]) !== canonical(sides.new?.[field]));
}

/** The new-file line that holds the key `"name":`, preferring an added line; null when none does. */
export function keyLine(file: DiffFile, name: string): number | null {
  const key = new RegExp(`${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*:`);
  const added = addedLines(file).find((l) => key.test(l.text));
  if (added) return added.line;
  const index = (file.contents?.new ?? "").split("\n").findIndex((text) => key.test(text));
  return index === -1 ? null : index + 1;
}

/** Whether `dir` is `ancestor` or lies below it (both as from posix.dirname, "." for the root). */
export function isWithin(dir: string, ancestor: string): boolean {
  return ancestor === "." || dir === ancestor || dir.startsWith(`${ancestor}/`);
}
