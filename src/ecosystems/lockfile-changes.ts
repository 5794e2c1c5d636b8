import { posix } from "node:path";
import { diffLockedPackages, type LockfileRedirect } from "./common/lockfile-diff.ts";
import type { LockedPackage } from "./common/lockfile.ts";
import { ecosystemOfLockfile } from "./registry.ts";

/** Both sides of one changed lockfile (null: absent on that side). */
export interface LockfileSides {
  path: string;
  /** The path at the base, for a rename. */
  oldPath?: string | null;
  before: string | null;
  after: string | null;
}

/** `ok: false`: a side does not parse, so nothing it pins can be verified (never read as "no change"). */
export type LockfileVerdict = { ok: true; redirects: LockfileRedirect[] } | { ok: false; reason: string };

/** Whether `path` is a lockfile of a registered ecosystem (the ones whose resolutions are checked). */
export function isEcosystemLockfile(path: string): boolean {
  return ecosystemOfLockfile(path) !== undefined;
}

/**
 * What a lockfile change redirects: each side parsed by its ecosystem, then compared package by
 * package. A deleted lockfile installs nothing and redirects nothing; a new one is all additions.
 */
export function lockfileRedirects(sides: LockfileSides): LockfileVerdict {
  if (sides.after === null) return { ok: true, redirects: [] };
  const after = parseSide(sides.path, sides.after, "");
  if (!after.ok) return after;
  const basePath = sides.oldPath ?? sides.path;
  // Renamed from a file that was no lockfile: the lockfile is new.
  const before = sides.before === null || !isEcosystemLockfile(basePath) ? { ok: true as const, packages: null } : parseSide(basePath, sides.before, "the base version: ");
  if (!before.ok) return before;
  const dir = posix.dirname(sides.path);
  return { ok: true, redirects: diffLockedPackages(before.packages, after.packages, { lockfileDir: dir === "." ? "" : dir }) };
}

function parseSide(path: string, text: string, side: string): { ok: true; packages: LockedPackage[] } | { ok: false; reason: string } {
  const ecosystem = ecosystemOfLockfile(path);
  if (!ecosystem) return { ok: false, reason: `${side}${path} is no lockfile PushPals can read` };
  try {
    return { ok: true, packages: ecosystem.parseLockfile(text, posix.basename(path)) };
  } catch (err) {
    // Any failure, expected or not, leaves the lockfile unverified: the caller's "cannot verify".
    return { ok: false, reason: `${side}${err instanceof Error ? err.message : String(err)}` };
  }
}
