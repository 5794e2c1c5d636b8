import { PushpalsError } from "../../core/errors.ts";

/** One package a lockfile pins, as its format records it. */
export interface LockedPackage {
  /** Stable within the format: the install path (npm, Bun) or the `name@specifier` the format keys it by (pnpm, Yarn). */
  key: string;
  /** The real package name (an alias's target, not the alias). */
  name: string;
  /** null when the format records none for this entry. */
  version: string | null;
  /** Where it installs from: a URL or a spec (`git+https://...#sha`, `file:../x`, `link:x`, `npm:1.2.3`); null for the configured registry. */
  resolved: string | null;
  /** The content hash the install checks (or the pinned commit of a git source); null when none is recorded. */
  integrity: string | null;
  /**
   * The names of the packages this entry depends on (its dependencies, optional and peer dependencies as
   * the format records them for it): an alias's target where the format says it, else the name it is
   * installed under. Sorted, each once; absent when the entry records none.
   */
  dependencies?: string[];
}

/** `{ dependencies }` with `names` sorted and each once, or `{}` when there are none (the field is left out). */
export function withDependencies(names: Iterable<string>): Pick<LockedPackage, "dependencies"> {
  const list = [...new Set(names)].sort();
  return list.length === 0 ? {} : { dependencies: list };
}

/**
 * The names the maps (`{ name: spec }`, as package.json writes them) of `entry`'s `sections` install: a
 * spec `npm:real@^1` installs `real`; any other spec (a range, `npm:^1`, a URL) the key's own name.
 */
export function dependencyNames(entry: Record<string, unknown>, sections: readonly string[]): string[] {
  const out: string[] = [];
  for (const section of sections) {
    for (const [key, spec] of Object.entries(recordOf(entry[section]) ?? {})) {
      const target = typeof spec === "string" && spec.startsWith("npm:") ? splitNameAndSpec(spec.slice(4)) : null;
      out.push(target !== null && target.spec !== "" ? target.name : key);
    }
  }
  return out;
}

/** Lockfiles over this size are not read whole: they count as unreadable. */
export const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;

/** A lockfile that does not parse as its format: nothing it pins can be verified. */
export class LockfileError extends PushpalsError {
  constructor(fileName: string, why: string) {
    super("invalid_input", `${fileName}: ${why}`, { field: fileName, hint: "regenerate the lockfile with its package manager (a frozen install refuses a malformed one too)" });
    this.name = "LockfileError";
  }
}

/** `value` as a plain object, or undefined. */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `value` as a non-empty string, or null. */
export function stringOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** A section that must be an object when present: absent is empty, anything else is malformed. */
export function sectionOf(parsed: Record<string, unknown>, name: string, fileName: string): Record<string, unknown> {
  const value = parsed[name];
  if (value === undefined || value === null) return {};
  const section = recordOf(value);
  if (!section) throw new LockfileError(fileName, `"${name}" is not an object`);
  return section;
}

/** An entry that must be an object. */
export function entryOf(value: unknown, key: string, fileName: string): Record<string, unknown> {
  const entry = recordOf(value);
  if (!entry) throw new LockfileError(fileName, `the entry ${JSON.stringify(key)} is not an object`);
  return entry;
}

/**
 * "name@spec" split at the "@" after the name (a scoped name starts with one): `@a/b@^1` -> ["@a/b", "^1"].
 * No "@" after the name: the whole string is the name and the spec is "".
 */
export function splitNameAndSpec(selector: string): { name: string; spec: string } {
  const at = selector.indexOf("@", selector.startsWith("@") ? 1 : 0);
  if (at <= 0) return { name: selector, spec: "" };
  return { name: selector.slice(0, at), spec: selector.slice(at + 1) };
}

const KEY_BEFORE = new Set([" ", '"', "'", ",", "\t"]);
// After the key (and its closing quote): more selectors of the same entry, or a colon opening a
// structure. A scalar after the colon is a dependency line naming the package, not its entry.
const ENTRY_KEY_END = /^["']?\s*(,|:\s*($|\{|\[))/;

/** The 1-based line of the entry keyed `key` in a lockfile's text (the first line holding it as an entry's key), or null. */
export function lockfileEntryLine(text: string, key: string): number | null {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    for (let at = line.indexOf(key); at !== -1; at = line.indexOf(key, at + 1)) {
      const before = at === 0 ? " " : line[at - 1]!;
      if (KEY_BEFORE.has(before) && ENTRY_KEY_END.test(line.slice(at + key.length))) return i + 1;
    }
  }
  return null;
}
