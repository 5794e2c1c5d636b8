import { readdirSync, readFileSync } from "node:fs";

/**
 * The process's open-file limit (soft RLIMIT_NOFILE), or null where /proc cannot tell (not Linux).
 * Bun (like Node) already raises the soft limit to the hard limit when it starts, so this is the
 * most the server can have; there is nothing left to raise without privileges.
 */
export function openFileLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    if (soft === undefined || soft === "unlimited") return null;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** How many file descriptors the process has open now, or null where /proc cannot tell. */
export function openFileCount(): number | null {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return null;
  }
}
