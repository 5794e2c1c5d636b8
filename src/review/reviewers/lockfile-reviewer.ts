import { posix } from "node:path";
import type { Finding, ReviewInput, Reviewer } from "../review-types.ts";
import { changedDependencies, installFieldsChanged, isLockfile, isManifest, isWithin, keyLine, readManifest } from "./manifest.ts";

const NAME = "lockfile";

/**
 * The lockfile moves with the manifest. Dependencies changed without their lockfile is a mistake the
 * author fixes by installing (request_changes). A lockfile changed with no install-relevant manifest
 * change is how a tampered resolution slips in unreviewed, so outside a dependency role it blocks.
 * A lockfile covers the package.json in its own folder and below (workspaces).
 */
export const lockfileReviewer = {
  name: NAME,
  review(input: ReviewInput): Finding[] {
    const lockDirs = input.files.filter(isLockfile).map((f) => posix.dirname(f.path));
    const manifests = input.files.filter(isManifest).map((file) => ({ file, sides: readManifest(file) }));
    const findings: Finding[] = [];
    for (const { file, sides } of manifests) {
      if (!sides.ok) continue;
      const changed = changedDependencies(sides);
      if (changed.length === 0) continue;
      const dir = posix.dirname(file.path);
      if (lockDirs.some((lockDir) => isWithin(dir, lockDir))) continue;
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
    const dependencyRole = input.role !== null && input.rules.dependencyRoles.includes(input.role);
    if (dependencyRole) return findings;
    for (const lock of input.files.filter(isLockfile)) {
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
