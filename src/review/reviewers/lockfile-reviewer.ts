import { posix } from "node:path";
import { describeRedirect, type LockfileRedirect } from "../../ecosystems/common/lockfile-diff.ts";
import { lockfileEntryLine, MAX_LOCKFILE_BYTES } from "../../ecosystems/common/lockfile.ts";
import { isEcosystemLockfile, loadLockfileParsers, lockfilePaths, lockfileRedirects } from "../../ecosystems/lockfile-changes.ts";
import type { DiffFile } from "../diff-types.ts";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { changedDependencies, installFieldsChanged, isLockfile, isManifest, isWithin, keyLine, readManifest } from "./manifest.ts";

const NAME = "lockfile";
// Past this many redirected packages in one lockfile (a registry switch, a Yarn cache-key change), the rest are one finding.
const MAX_REDIRECT_FINDINGS = 20;

/**
 * The lockfile moves with the manifest. Dependencies changed without their lockfile is a mistake the
 * author fixes by installing (request_changes). A lockfile changed with no install-relevant manifest
 * change is how a tampered resolution slips in unreviewed, so outside a dependency role it blocks.
 * A lockfile covers the package.json in its own folder and below (workspaces). Whatever the role, a
 * package whose source or hash changes without its version (or that now comes from outside the
 * registry) blocks, and so does a lockfile that cannot be read: what it installs cannot be verified.
 */
export const lockfileReviewer = {
  name: NAME,
  async review(input: ReviewInput): Promise<Finding[]> {
    const lockfiles = input.files.filter(isLockfile);
    await loadLockfileParsers(lockfiles.flatMap(lockfilePaths));
    const manifests = input.files.filter(isManifest).map((file) => ({ file, sides: readManifest(file) }));
    const findings: Finding[] = [];
    for (const { file, sides } of manifests) {
      if (!sides.ok) continue;
      const changed = changedDependencies(sides);
      if (changed.length === 0) continue;
      const dir = posix.dirname(file.path);
      if (lockfiles.some((lock) => isWithin(dir, posix.dirname(lock.path)))) continue;
      const line = changed.map((name) => keyLine(file, name)).find((l) => l !== null) ?? null;
      findings.push({
        reviewer: NAME,
        rule: "lockfile_not_updated",
        severity: "request_changes",
        file: file.path,
        line,
        message: `${file.path} changes dependencies (${changed.slice(0, 5).join(", ")}${changed.length > 5 ? ", ..." : ""}) but no lockfile changes with it`,
        fixHint: "run the package manager's install and commit the updated lockfile",
      });
    }
    for (const lock of lockfiles) findings.push(...resolutionFindings(lock));
    const dependencyRole = input.role !== null && input.rules.dependencyRoles.includes(input.role);
    if (dependencyRole) return findings;
    for (const lock of lockfiles) {
      const dir = posix.dirname(lock.path);
      const explained = manifests.some(({ file, sides }) => sides.ok && installFieldsChanged(sides) && isWithin(posix.dirname(file.path), dir));
      if (explained) continue;
      findings.push({
        reviewer: NAME,
        rule: "lockfile_changed_alone",
        severity: "block",
        file: lock.path,
        line: null,
        message: `${lock.path} changes without a matching package.json change${input.role ? ` (role ${input.role} may not maintain lockfiles)` : ""}`,
        fixHint: "revert the lockfile, or let a dependency-maintenance job make this change",
      });
    }
    return findings;
  },
} satisfies Reviewer;

/** One block per redirected package of a changed lockfile, or one for a lockfile that cannot be read. */
function resolutionFindings(lock: DiffFile): Finding[] {
  if (lock.status === "deleted" || !isEcosystemLockfile(lock.path)) return [];
  if (!lock.contents) return [unreadable(lock, lock.binary ? "it is binary" : "its contents were not loaded with the diff (too large)")];
  const verdict = lockfileRedirects({ path: lock.path, oldPath: lock.oldPath, before: lock.contents.old, after: lock.contents.new });
  if (!verdict.ok) return [unreadable(lock, verdict.reason)];
  const shown = verdict.redirects.slice(0, MAX_REDIRECT_FINDINGS).map((r) => redirected(lock, r));
  const rest = verdict.redirects.slice(MAX_REDIRECT_FINDINGS);
  if (rest.length === 0) return shown;
  const names = rest.slice(0, 5).map((r) => r.name).join(", ");
  return [...shown, { ...shown[0]!, line: null, message: `${lock.path} redirects ${rest.length} more package(s): ${names}${rest.length > 5 ? ", ..." : ""}` }];
}

function redirected(lock: DiffFile, r: LockfileRedirect): Finding {
  return {
    reviewer: NAME,
    rule: "lockfile_redirected",
    severity: "block",
    file: lock.path,
    line: lockfileEntryLine(lock.contents?.new ?? "", r.key),
    message: `${lock.path} redirects ${describeRedirect(r)}`,
    fixHint: "regenerate the lockfile with the package manager from the registry (or revert this entry); a real update changes the version too",
  };
}

function unreadable(lock: DiffFile, why: string): Finding {
  return {
    reviewer: NAME,
    rule: "lockfile_unreadable",
    severity: "block",
    file: lock.path,
    line: null,
    message: `cannot verify what ${lock.path} installs: ${why}`,
    fixHint: `commit a lockfile the package manager wrote (a text one, at most ${MAX_LOCKFILE_BYTES / 1024 / 1024} MiB), so its resolutions can be checked`,
  };
}
