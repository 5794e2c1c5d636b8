import { lstatSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { evictEntry } from "./cache.ts";
import { beginEviction, endEviction, sweepStaleLeases } from "./cache-lease.ts";

/**
 * Keeps the dependency cache under its size (`install.cache_max_mb`): least recently used entries go
 * first (last use is the entry dir's mtime, touched on every hit), entries in use (cache-lease.ts) never.
 * Sizes are what the entries take on disk, like `du`: allocated blocks, each file counted once however
 * many hard links (in one entry or across entries) it has.
 */
export interface PruneResult {
  /** On disk before and after, in bytes. */
  before: number;
  after: number;
  evicted: string[];
  /** Entries that would have gone but were in use. */
  inUse: string[];
}

interface Measured {
  key: string;
  lastUsedMs: number;
  /** `dev:ino` -> bytes on disk, of every file, dir and link in the entry. */
  inodes: Map<string, number>;
}

export function pruneCache(cacheRoot: string, maxBytes: number): PruneResult {
  const entries = listEntries(cacheRoot);
  if (entries.length === 0) return { before: 0, after: 0, evicted: [], inUse: [] };
  sweepStaleLeases(cacheRoot);
  const measured = entries.flatMap((key) => measure(cacheRoot, key) ?? []);
  const links = new Map<string, { bytes: number; entries: number }>();
  for (const entry of measured) {
    for (const [inode, bytes] of entry.inodes) {
      const seen = links.get(inode);
      links.set(inode, { bytes, entries: (seen?.entries ?? 0) + 1 });
    }
  }
  const before = [...links.values()].reduce((sum, l) => sum + l.bytes, 0);
  let total = before;
  const evicted: string[] = [];
  const inUse: string[] = [];
  for (const entry of measured.sort((a, b) => a.lastUsedMs - b.lastUsedMs)) {
    if (total <= maxBytes) break;
    if (!beginEviction(cacheRoot, entry.key)) {
      inUse.push(entry.key);
      continue;
    }
    try {
      evictEntry(cacheRoot, entry.key);
    } finally {
      endEviction(cacheRoot, entry.key);
    }
    evicted.push(entry.key);
    total -= freedBytes(entry, links);
  }
  return { before, after: total, evicted, inUse };
}

/** What evicting `entry` frees: the files no remaining entry links to. */
function freedBytes(entry: Measured, links: Map<string, { bytes: number; entries: number }>): number {
  let freed = 0;
  for (const inode of entry.inodes.keys()) {
    const link = links.get(inode)!;
    link.entries--;
    if (link.entries === 0) freed += link.bytes;
  }
  return freed;
}

/** Complete entries: temp, trash and lease dirs start with a dot. */
function listEntries(cacheRoot: string): string[] {
  try {
    return readdirSync(cacheRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** null when the entry vanished meanwhile (another worker evicted it). */
function measure(cacheRoot: string, key: string): Measured | null {
  const root = join(cacheRoot, key);
  try {
    const lastUsedMs = statSync(root).mtimeMs;
    const inodes = new Map<string, number>();
    const walk = (path: string) => {
      const st = lstatSync(path, { bigint: true });
      inodes.set(`${st.dev}:${st.ino}`, Number(st.blocks) * 512 || Number(st.size));
      if (st.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    };
    walk(root);
    return { key, lastUsedMs, inodes };
  } catch {
    return null;
  }
}

const MB = 1024 * 1024;
const prunedAtStart = new Set<string>();

/** `pruneCache` to `install.cache_max_mb`, saying what it evicted. */
export function keepCacheUnder(cacheRoot: string, maxMb: number, log: (line: string) => void): PruneResult {
  const result = pruneCache(cacheRoot, maxMb * MB);
  if (result.evicted.length === 0 && result.inUse.length === 0) return result;
  const mb = (bytes: number) => `${Math.round(bytes / MB)} MB`;
  const kept = result.inUse.length > 0 ? `; ${result.inUse.length} in use kept` : "";
  log(`dependencies: the cache (${mb(result.before)}) was over install.cache_max_mb (${maxMb} MB): evicted ${result.evicted.length} least recently used ${result.evicted.length === 1 ? "entry" : "entries"}, ${mb(result.after)} left${kept}`);
  return result;
}

/** The first prepare of a worker process brings the cache under the limit before it uses it (the limit may have changed). */
export function keepCacheUnderOnce(cacheRoot: string, maxMb: number, log: (line: string) => void): void {
  if (prunedAtStart.has(cacheRoot)) return;
  prunedAtStart.add(cacheRoot);
  keepCacheUnder(cacheRoot, maxMb, log);
}
