import type { LockfileRedirect } from "../ecosystems/common/lockfile-diff.ts";
import { loadLockfileParsers, lockfileRedirects } from "../ecosystems/lockfile-changes.ts";
import { ecosystemOfLockfile } from "../ecosystems/registry.ts";
import { lockfileScope, type OutOfScopeChange } from "./lockfile-scope.ts";

export interface LockfileFindings {
  /** Changes to packages that are neither updated nor a dependency of an updated one. */
  outOfScope: OutOfScopeChange[];
  /** Packages that now install from somewhere other than the registry the rest of the lockfile uses (the lockfile reviewer's rule). */
  redirects: LockfileRedirect[];
}

/**
 * What a regenerated lockfile changed beyond the update: both sides read by the lockfile's ecosystem;
 * throws when a side does not parse (the caller fails the update: nothing it pins could be verified).
 * Each finding makes the PR High and is listed in its body; the ReviewAgent's lockfile reviewer judges
 * the redirects again on the exact diff.
 */
export async function lockfileFindings(path: string, before: string | null, after: string, intended: readonly string[]): Promise<LockfileFindings> {
  const ecosystem = ecosystemOfLockfile(path);
  if (!ecosystem) throw new Error(`${path} is no lockfile PushPals can read`);
  await loadLockfileParsers([path]);
  const verdict = lockfileRedirects({ path, before, after });
  if (!verdict.ok) throw new Error(verdict.reason);
  const parse = await ecosystem.loadLockfileParser();
  const name = path.split("/").at(-1)!;
  const outOfScope = lockfileScope(before === null ? null : parse(before, name), parse(after, name), intended);
  return { outOfScope, redirects: verdict.redirects };
}
