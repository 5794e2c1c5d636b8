import type { LockedPackage } from "../ecosystems/common/lockfile.ts";

/** A lockfile entry an update changed that the packages it meant to update do not account for. */
export interface OutOfScopeChange {
  name: string;
  key: string;
  change: "added" | "removed" | "changed";
  /** The entry's version on each side (its `resolved` where the format records no version); null on the side it is absent from. */
  from: string | null;
  to: string | null;
}

/**
 * The changes between two readings of one lockfile that updating `intended` (package names as entries
 * name them: an alias's target) does not explain, sorted by key. `before` null: the lockfile is new. An entry is compared by key: added, removed, or changed in version, resolved or integrity. It is
 * in scope when its name (both names, if an alias now points elsewhere) is in the closure of `intended`
 * by name: the names every entry of either side already in it depends on, until nothing is added (the
 * new version's dependencies explain what was added, the old one's what was removed).
 *
 * Root and workspace entries never show as changes when only their dependency lists move, because lists
 * are not compared: the parsers emit no npm "" root and no pnpm importer (only its `link:`/`file:`
 * dependencies, which an update of a registry package leaves alone), and npm's workspace folders and
 * links, Bun's `workspace:` entries and Yarn Berry's `workspace:` entries keep their version and source.
 */
export function lockfileScope(before: readonly LockedPackage[] | null, after: readonly LockedPackage[], intended: readonly string[]): OutOfScopeChange[] {
  const old = new Map((before ?? []).map((p) => [p.key, p] as const));
  const now = new Map(after.map((p) => [p.key, p] as const));
  const scope = closure(intended, [...(before ?? []), ...after]);
  const out: OutOfScopeChange[] = [];
  for (const key of new Set([...old.keys(), ...now.keys()])) {
    const a = old.get(key);
    const b = now.get(key);
    const change = a === undefined ? "added" : b === undefined ? "removed" : differs(a, b) ? "changed" : null;
    if (change === null) continue;
    const names = [a?.name, b?.name].filter((n): n is string => n !== undefined);
    if (names.every((n) => scope.has(n))) continue;
    out.push({ name: b?.name ?? a!.name, key, change, from: shown(a), to: shown(b) });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

function closure(intended: readonly string[], entries: readonly LockedPackage[]): Set<string> {
  const names = new Set(intended);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of entries) {
      if (!names.has(entry.name)) continue;
      for (const dep of entry.dependencies ?? []) {
        if (names.has(dep)) continue;
        names.add(dep);
        grew = true;
      }
    }
  }
  return names;
}

function differs(a: LockedPackage, b: LockedPackage): boolean {
  return a.version !== b.version || a.resolved !== b.resolved || a.integrity !== b.integrity;
}

function shown(p: LockedPackage | undefined): string | null {
  return p === undefined ? null : (p.version ?? p.resolved);
}
