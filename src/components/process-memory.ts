import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * A process's resident memory, read from Linux /proc. RSS counts every shared page in full in every
 * process that maps it (each Bun process maps the same ~35 MiB executable), so RSS summed over the
 * components overstates the runtime; PSS divides each shared page among its sharers, so PSS is the
 * honest per-process figure and PSS summed is the honest total.
 */
export const ProcessMemory = z.object({
  rssBytes: z.number().int().nonnegative(),
  /** Proportional set size; null when only /proc/<pid>/status was readable (kernels before 4.14). */
  pssBytes: z.number().int().nonnegative().nullable(),
  /** Pages no other process maps (Private_Clean + Private_Dirty): what stopping this process frees. */
  privateBytes: z.number().int().nonnegative().nullable(),
  source: z.enum(["smaps_rollup", "status"]),
});
export type ProcessMemory = z.infer<typeof ProcessMemory>;

export const MemoryTotal = z.object({
  processes: z.number().int().nonnegative(),
  rssBytes: z.number().int().nonnegative(),
  /** Null when a process counted had no PSS figure (a sum with holes would look honest and not be). */
  pssBytes: z.number().int().nonnegative().nullable(),
});
export type MemoryTotal = z.infer<typeof MemoryTotal>;

const KIB = 1024;

/** `Name:   1234 kB` lines of a /proc file, in bytes. */
function kibFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const m of text.matchAll(/^([A-Za-z_]+):\s+(\d+) kB$/gm)) fields.set(m[1]!, Number(m[2]) * KIB);
  return fields;
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    // Gone (ENOENT/ESRCH), not ours to read (EACCES), or no /proc at all: the figure is simply unknown.
    return null;
  }
}

/** The memory of `pid` now, or null when it cannot be known (no /proc on this OS, the process is gone or a zombie). */
export function readProcessMemory(pid: number, procRoot = "/proc"): ProcessMemory | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  const rollup = readText(`${procRoot}/${pid}/smaps_rollup`);
  if (rollup !== null) {
    const f = kibFields(rollup);
    const rss = f.get("Rss");
    if (rss !== undefined) {
      const pss = f.get("Pss") ?? null;
      const clean = f.get("Private_Clean");
      const dirty = f.get("Private_Dirty");
      return { rssBytes: rss, pssBytes: pss, privateBytes: clean === undefined || dirty === undefined ? null : clean + dirty, source: "smaps_rollup" };
    }
  }
  const status = readText(`${procRoot}/${pid}/status`);
  const rss = status === null ? undefined : kibFields(status).get("VmRSS");
  return rss === undefined ? null : { rssBytes: rss, pssBytes: null, privateBytes: null, source: "status" };
}

/**
 * `readProcessMemory` with each pid's reading kept for `ttlMs` (reading smaps_rollup walks the process's
 * page tables: a few ms each for a Bun process), so `status` asked again and again costs one walk per
 * component every couple of seconds. Bounded: entries past their time are dropped on each read.
 */
export function cachedMemoryReader(ttlMs = 2_000, now: () => number = Date.now, read: (pid: number) => ProcessMemory | null = readProcessMemory): (pid: number) => ProcessMemory | null {
  const cache = new Map<number, { at: number; memory: ProcessMemory | null }>();
  return (pid) => {
    const t = now();
    for (const [key, entry] of cache) if (t - entry.at >= ttlMs) cache.delete(key);
    const hit = cache.get(pid);
    if (hit) return hit.memory;
    const memory = read(pid);
    cache.set(pid, { at: t, memory });
    return memory;
  };
}

/** The sum over the processes whose memory is known; null when none is. */
export function totalMemory(readings: readonly (ProcessMemory | null | undefined)[]): MemoryTotal | null {
  const known = readings.filter((m): m is ProcessMemory => m !== null && m !== undefined);
  if (known.length === 0) return null;
  const pss = known.every((m) => m.pssBytes !== null) ? known.reduce((sum, m) => sum + m.pssBytes!, 0) : null;
  return { processes: known.length, rssBytes: known.reduce((sum, m) => sum + m.rssBytes, 0), pssBytes: pss };
}
