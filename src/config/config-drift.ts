import type { PushpalsConfig, SectionName } from "./schema.ts";

/**
 * Sections the running components took when they started: the server its listeners, leases and
 * provider; the supervisor its workers; every WorkerPal its sandbox. `checks` and `install` are not
 * here: each job reads them from the config committed at its base, so a committed change applies to the
 * next job without a restart.
 */
const READ_AT_START: readonly SectionName[] = ["server", "jobs", "workers", "remote_agent", "sandbox", "pr", "github"];

/** One line per setting the running components still use an older value of: `sandbox.memory_mb: 4096 -> 8192`. */
export function configWaitingForRestart(running: PushpalsConfig, now: PushpalsConfig): string[] {
  const lines: string[] = [];
  for (const section of READ_AT_START) {
    const before = running[section] as Record<string, unknown>;
    const after = now[section] as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const a = JSON.stringify(before[key] ?? null);
      const b = JSON.stringify(after[key] ?? null);
      if (a !== b) lines.push(`${section}.${key}: ${a} -> ${b}`);
    }
  }
  return lines;
}
