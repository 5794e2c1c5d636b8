import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { Packument } from "./packument.ts";

/**
 * The on-disk ETag cache of registry documents, under a directory the caller owns (the runtime directory's,
 * later): one file per registry and package, holding the reduced document (what `Packument` keeps) and the
 * ETag it came with. A request for a cached package sends `If-None-Match`, and a 304 reuses the file. A
 * file is written whole to a temporary name and renamed over the old one, so a reader sees the old
 * document or the new one, never part of either; one that does not read back as an entry counts as absent.
 */
export interface CachedPackument {
  etag: string;
  packument: Packument;
}

const CacheEntry = z.object({
  v: z.literal(1),
  registry: z.string(),
  name: z.string(),
  etag: z.string().min(1).max(1024),
  packument: Packument,
});

/** A cached entry larger than this is not read (the fetch's own limit is the caller's). */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

export function cacheFile(dir: string, registry: string, name: string): string {
  const key = createHash("sha256").update(`${registry}\n${name}`).digest("hex");
  return join(dir, `${key}.json`);
}

export function readCachedPackument(dir: string, registry: string, name: string): CachedPackument | null {
  const file = cacheFile(dir, registry, name);
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_ENTRY_BYTES) return null;
    const entry = CacheEntry.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!entry.success || entry.data.registry !== registry || entry.data.name !== name) return null;
    return { etag: entry.data.etag, packument: entry.data.packument };
  } catch {
    return null;
  }
}

export function writeCachedPackument(dir: string, registry: string, name: string, etag: string, packument: Packument): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = cacheFile(dir, registry, name);
  const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify({ v: 1, registry, name, etag, packument }), { mode: 0o600 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
