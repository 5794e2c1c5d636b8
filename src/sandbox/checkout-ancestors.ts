import { dirname } from "node:path";

/**
 * Directories that hold the system's own files: a repository inside one of them (`/usr/src/app`,
 * `/opt/app`) leaves that directory visible, since tools live there.
 */
const SYSTEM_DIRS = new Set(["/", "/usr", "/usr/local", "/usr/share", "/usr/lib", "/opt", "/var", "/var/lib", "/var/cache", "/srv", "/mnt", "/media", "/nix", "/snap", "/tmp", "/var/tmp", "/etc", "/bin", "/sbin", "/lib", "/lib64"]);

/**
 * What to hide above the repository so that a command in its checkout finds nothing of the user's on
 * the way up (a `node_modules`, an `.eslintrc`, a `tsconfig.json` beside or above the checkout, which
 * tools that search parent directories would pick up): the highest ancestor of `repoRoot` that is not a
 * system directory, or none when the repository's parent is one. Tools on PATH inside it stay visible
 * (resolveSandboxSpec reveals them).
 */
export function ancestorToHide(repoRoot: string): string | null {
  let highest: string | null = null;
  for (let dir = dirname(repoRoot); !SYSTEM_DIRS.has(dir); dir = dirname(dir)) {
    highest = dir;
    if (dirname(dir) === dir) break;
  }
  return highest;
}
