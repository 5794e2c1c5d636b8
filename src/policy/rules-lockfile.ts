import { describeRedirect } from "../ecosystems/common/lockfile-diff.ts";
import { lockfileRedirects } from "../ecosystems/lockfile-changes.ts";
import type { ClassificationInput, LockfileChange } from "./classify-input.ts";
import { DEPENDENCY_ROLE } from "./policy-defaults.ts";
import { RULES } from "./rule-ids.ts";
import type { RiskReason } from "./tiers.ts";

const SHOWN_PER_LOCKFILE = 5;

/**
 * A lockfile that now installs a package from somewhere else (another host, a tarball, git, a local
 * path outside the repository) or with another hash, without the version change a real update makes,
 * is High for every role: the dependency role maintains lockfiles, it does not get to redirect them.
 * A lockfile whose sides cannot be read cannot be verified, so it is High too, never "unchanged".
 */
export function lockfileRedirectRules(input: ClassificationInput): RiskReason[] {
  const redirected: { path: string; text: string }[] = [];
  const unread: { path: string; why: string }[] = [];
  for (const change of [...(input.lockfiles ?? [])].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const verdict = verdictOf(change);
    if (!verdict.ok) unread.push({ path: change.path, why: verdict.reason });
    else if (verdict.redirects.length > 0) redirected.push({ path: change.path, text: listed(verdict.redirects.map(describeRedirect)) });
  }
  const reasons: RiskReason[] = [];
  if (redirected.length > 0) {
    reasons.push({
      rule: RULES.lockfileRedirected,
      tier: "high",
      message: `lockfile(s) change where packages install from (High for every role, ${DEPENDENCY_ROLE} too): ${redirected.map((r) => `${r.path}: ${r.text}`).join("; ")}`,
      paths: redirected.map((r) => r.path),
    });
  }
  if (unread.length > 0) {
    reasons.push({
      rule: RULES.lockfileUnreadable,
      tier: "high",
      message: `cannot verify what lockfile(s) install: ${unread.map((u) => `${u.path} (${u.why})`).join("; ")}`,
      paths: unread.map((u) => u.path),
    });
  }
  return reasons;
}

function verdictOf(change: LockfileChange) {
  if (change.unread !== undefined) return { ok: false as const, reason: change.unread };
  return lockfileRedirects(change);
}

function listed(items: string[]): string {
  const more = items.length - SHOWN_PER_LOCKFILE;
  return `${items.slice(0, SHOWN_PER_LOCKFILE).join(", ")}${more > 0 ? `, and ${more} more` : ""}`;
}
