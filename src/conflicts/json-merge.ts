import { pickHigherRange } from "./dependency-range-pick.ts";
import { detectLayout, stripBom, writeWithLayout } from "./json-format.ts";
import { emptyObject, isJsonObject, jsonDepth, jsonEqual, ownValue, type JsonObject } from "./json-values.ts";

/** `why` is the bare reason: the conflict's path and the file are fields the caller already has. */
export type JsonConflict = { path: string[]; base: unknown; ours: unknown; theirs: unknown; why: string };
export type JsonMerge = { ok: true; text: string; notes: string[] } | { ok: false; conflicts: JsonConflict[] };
/** `fileName` prefixes each note, which is free text meant for a PR body. */
export type JsonMergeOptions = { fileName?: string };

const DEPENDENCY_MAPS = new Set(["dependencies", "devDependencies", "optionalDependencies", "peerDependencies", "resolutions", "overrides"]);
// Far deeper than any manifest; it keeps the recursive merge below from exhausting the stack.
const MAX_DEPTH = 200;

type Merger = { conflicts: JsonConflict[]; notes: string[]; prefix: string };

/**
 * A structural three-way merge of a JSON manifest (package.json and the like), pure and deterministic.
 *
 * Objects merge key by key; arrays and scalars are atoms, except that inside a dependency map two
 * different bumps of one dependency within a compatible line take the higher range (with a note).
 *
 * Output: ours is the template. Its indentation (tab, or the width of its first indented line), line
 * ending, byte order mark and surrounding whitespace (so a final newline or its absence) are kept, and
 * its key order; a key theirs added goes after the key before it in theirs that survives (theirs' first
 * key goes before the first of its followers that survives; at the end when none survives), except that
 * a dependency map sorted on both sides stays sorted. The value is written with JSON.stringify, so
 * formatting ours had beyond that (arrays on one line, `\u` escapes, `1.0`) is normalized and integers
 * past 2^53 lose precision, except in these cases, where a side's text is returned byte for byte:
 * - ours is textually base: theirs' text; theirs is textually base: ours' text; both equal: ours' text;
 * - the merged value is ours' value (same data, same key order): ours' text.
 */
export function mergeJson(base: string, ours: string, theirs: string, options: JsonMergeOptions = {}): JsonMerge {
  const parsed: unknown[] = [];
  for (const [side, text] of [["base", base], ["ours", ours], ["theirs", theirs]] as const) {
    const value = parseSide(text);
    if (!value.ok) {
      const why = `${side} is not JSON: ${value.error}`;
      return { ok: false, conflicts: [{ path: [], base: undefined, ours: undefined, theirs: undefined, why }] };
    }
    if (jsonDepth(value.value) > MAX_DEPTH) {
      const why = `${side} nests deeper than ${MAX_DEPTH} levels`;
      return { ok: false, conflicts: [{ path: [], base: undefined, ours: undefined, theirs: undefined, why }] };
    }
    parsed.push(value.value);
  }
  const [b, o, t] = parsed;
  if (ours === theirs || theirs === base) return { ok: true, text: ours, notes: [] };
  if (ours === base) return { ok: true, text: theirs, notes: [] };

  const merger: Merger = { conflicts: [], notes: [], prefix: options.fileName ? `${options.fileName}: ` : "" };
  const merged = mergeValue(merger, [], b, o, t);
  if (merger.conflicts.length > 0) return { ok: false, conflicts: merger.conflicts };
  if (jsonEqual(merged, o, true)) return { ok: true, text: ours, notes: merger.notes };
  return { ok: true, text: writeWithLayout(merged, detectLayout(ours)), notes: merger.notes };
}

function parseSide(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(stripBom(text)) as unknown };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** The merged value at `path`; undefined means the key is gone. Conflicts are collected, not thrown. */
function mergeValue(m: Merger, path: string[], base: unknown, ours: unknown, theirs: unknown): unknown {
  if (jsonEqual(ours, theirs)) return ours;
  if (jsonEqual(base, ours)) return theirs;
  if (jsonEqual(base, theirs)) return ours;
  // Both sides changed it, differently.
  if (isJsonObject(ours) && isJsonObject(theirs) && (base === undefined || isJsonObject(base))) {
    return mergeObject(m, path, base ?? emptyObject(), ours, theirs);
  }
  const conflict = (why: string) => {
    m.conflicts.push({ path, base, ours, theirs, why });
    return ours;
  };
  if (ours === undefined) return conflict("deleted in ours, changed in theirs");
  if (theirs === undefined) return conflict("changed in ours, deleted in theirs");
  if (inDependencyMap(path) && typeof ours === "string" && typeof theirs === "string") {
    const pick = pickHigherRange(ours, theirs);
    if (!pick.ok) return conflict(`both sides changed this dependency: ${pick.why}`);
    m.notes.push(`${m.prefix}${showPath(path)}: ours ${ours}, theirs ${theirs}; took ${pick.spec} (${pick.side}, the higher)`);
    return pick.spec;
  }
  return conflict(base === undefined ? "added on both sides with different values" : "changed on both sides to different values");
}

function mergeObject(m: Merger, path: string[], base: JsonObject, ours: JsonObject, theirs: JsonObject): JsonObject {
  const values = new Map<string, unknown>();
  const order: string[] = [];
  for (const key of Object.keys(ours)) {
    const value = mergeValue(m, [...path, key], ownValue(base, key), ours[key], ownValue(theirs, key));
    if (value === undefined) continue;
    values.set(key, value);
    order.push(key);
  }
  const theirsKeys = Object.keys(theirs);
  theirsKeys.forEach((key, index) => {
    if (Object.hasOwn(ours, key)) return;
    // Absent in ours: theirs added it, or ours deleted it (then it stays deleted unless theirs changed it).
    const value = mergeValue(m, [...path, key], ownValue(base, key), undefined, theirs[key]);
    if (value === undefined) return;
    values.set(key, value);
    order.splice(insertionIndex(order, theirsKeys, index), 0, key);
  });
  // Package managers write dependency maps sorted; a merge that breaks that would be re-sorted by the next install.
  if (isDependencyMap(path) && isSorted(Object.keys(ours)) && isSorted(theirsKeys)) order.sort(byCodeUnit);
  const out = emptyObject();
  for (const key of order) out[key] = values.get(key);
  return out;
}

/**
 * Where theirs' key at `index` goes in the merged order: after its nearest predecessor in theirs that
 * survived; theirs' first key goes before the nearest follower that survived (a key put at the top stays
 * there); else at the end.
 */
function insertionIndex(order: string[], theirsKeys: string[], index: number): number {
  for (let i = index - 1; i >= 0; i--) {
    const at = order.indexOf(theirsKeys[i]!);
    if (at !== -1) return at + 1;
  }
  if (index === 0) {
    for (let i = 1; i < theirsKeys.length; i++) {
      const at = order.indexOf(theirsKeys[i]!);
      if (at !== -1) return at;
    }
  }
  return order.length;
}

/** A value inside `dependencies` and its siblings, `pnpm.overrides`, or an npm `overrides` nesting. */
function inDependencyMap(path: string[]): boolean {
  if (path.length >= 2 && DEPENDENCY_MAPS.has(path[0]!)) return true;
  return path.length >= 3 && path[0] === "pnpm" && path[1] === "overrides";
}

/** The map itself (not a nesting inside npm `overrides`). */
function isDependencyMap(path: string[]): boolean {
  if (path.length === 1) return DEPENDENCY_MAPS.has(path[0]!);
  return path.length === 2 && path[0] === "pnpm" && path[1] === "overrides";
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isSorted(keys: string[]): boolean {
  return keys.every((key, i) => i === 0 || byCodeUnit(keys[i - 1]!, key) <= 0);
}

function showPath(path: string[]): string {
  if (path.length === 0) return "(the whole document)";
  return path.map((key) => (/^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key))).join(".");
}
