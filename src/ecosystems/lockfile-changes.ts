import { posix } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import type { LockfileParser } from "./common/api.ts";
import { diffLockedPackages, type LockfileRedirect } from "./common/lockfile-diff.ts";
import type { LockedPackage } from "./common/lockfile.ts";
import { ecosystemOfLockfile, type EcosystemId, type RegisteredEcosystem } from "./registry.ts";

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

const parsers = new Map<EcosystemId, LockfileParser>();

/** Whether `path` is a lockfile of a registered ecosystem (the ones whose resolutions are checked). */
export function isEcosystemLockfile(path: string): boolean {
  return ecosystemOfLockfile(path) !== undefined;
}

/**
 * Loads the readers of these lockfiles' ecosystems, once per process (paths that are no lockfile are
 * skipped). `lockfileRedirects` stays synchronous for the classifier: whatever hands it lockfiles
 * (classificationInputFromGit, the lockfile reviewer) awaits this first.
 */
export async function loadLockfileParsers(paths: Iterable<string | null | undefined>): Promise<void> {
  const wanted = new Map<EcosystemId, RegisteredEcosystem>();
  for (const path of paths) {
    const ecosystem = path ? ecosystemOfLockfile(path) : undefined;
    if (ecosystem && !parsers.has(ecosystem.id)) wanted.set(ecosystem.id, ecosystem);
  }
  await Promise.all(
    [...wanted.values()].map(async (e) => {
      parsers.set(e.id, await e.loadLockfileParser());
    }),
  );
}

/** The paths `lockfileRedirects(sides)` reads: the lockfile, and its path at the base for a rename. */
export function lockfilePaths(sides: Pick<LockfileSides, "path" | "oldPath">): string[] {
  return sides.oldPath ? [sides.path, sides.oldPath] : [sides.path];
}

/**
 * What a lockfile change redirects: each side parsed by its ecosystem, then compared package by
 * package. A deleted lockfile installs nothing and redirects nothing; a new one is all additions.
 * Throws `internal` when a side's reader was not loaded (`loadLockfileParsers`): a caller's bug, never a verdict.
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
  const parse = parsers.get(ecosystem.id);
  if (!parse) throw new PushpalsError("internal", `the ${ecosystem.id} lockfile reader is not loaded (read ${path})`, { hint: "await loadLockfileParsers() before lockfileRedirects()" });
  try {
    return { ok: true, packages: parse(text, posix.basename(path)) };
  } catch (err) {
    // Any failure, expected or not, leaves the lockfile unverified: the caller's "cannot verify".
    return { ok: false, reason: `${side}${err instanceof Error ? err.message : String(err)}` };
  }
}
