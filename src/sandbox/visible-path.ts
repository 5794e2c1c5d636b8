import { within } from "./resolve-spec.ts";
import type { SandboxSpec } from "./sandbox-spec.ts";

/** Replaced inside every sandbox by its own, empty ones (bwrap-args.ts). */
const PRIVATE_DIRS = ["/tmp", "/dev", "/proc"];

/**
 * Why a host path (absolute, its real path) cannot be seen by a command in a sandbox of `spec`, or null
 * when it can (read-only, or writable in the checkout). Mirrors bwrapArgs' mounts: the deepest of the
 * hidden and revealed directories holding the path decides (a revealed one wins over a hidden one at the
 * same depth); /tmp, /dev and /proc are the sandbox's own. Pure: for preflight and for the executor that
 * runs a host program inside the sandbox.
 */
export function hiddenInSandbox(path: string, spec: Pick<SandboxSpec, "writableDir" | "hide" | "reveal" | "hideFiles" | "readOnlyMounts">): string | null {
  if (within(path, spec.writableDir)) return null;
  if (spec.readOnlyMounts.some((m) => within(path, m.source))) return null;
  if (spec.hideFiles.includes(path)) return `${path} is hidden from sandboxed commands`;
  const holders = [...spec.hide.map((dir) => ({ dir, hidden: true })), ...spec.reveal.map((dir) => ({ dir, hidden: false }))]
    .filter((h) => within(path, h.dir))
    .sort((a, b) => depth(b.dir) - depth(a.dir) || Number(a.hidden) - Number(b.hidden));
  const winner = holders[0];
  if (winner?.hidden) return `it is under ${winner.dir}, which the sandbox hides`;
  if (winner) return null;
  const own = PRIVATE_DIRS.find((dir) => within(path, dir));
  return own ? `it is under ${own}, which is the sandbox's own (empty) directory` : null;
}

function depth(path: string): number {
  return path.split("/").filter(Boolean).length;
}
