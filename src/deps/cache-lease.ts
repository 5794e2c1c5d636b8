import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "../runtime-dir/server-file.ts";

/**
 * Which cache entries are in use, so eviction never takes one a job's checkout mounts. A lease is a file
 * `<cache>/.leases/<key>@<pid>@<checkout hash>` holding the checkout's path: it is live while that process
 * runs and that checkout exists, so it needs no release (a finished job removes its checkout; a killed
 * worker's pid is gone) and a crash never pins an entry for good.
 *
 * Eviction and use are ordered without a lock: a user writes its lease, then looks for an eviction
 * marker (`<key>.evicting.<pid>`, one per evicting process); an evictor writes its marker, then looks for
 * leases and other evictors. Each writes before it reads, so at least one of them sees the other and backs
 * off: a leased entry is never evicted, and an entry being evicted is never handed out.
 */
const LEASES = ".leases";

export function leasesDir(cacheRoot: string): string {
  return join(cacheRoot, LEASES);
}

/** Takes a lease on `key` for `checkout`; false when the entry is being evicted (the lease is dropped again). */
export function leaseEntry(cacheRoot: string, key: string, checkout: string): boolean {
  mkdirSync(leasesDir(cacheRoot), { recursive: true });
  const lease = leasePath(cacheRoot, key, checkout);
  writeFileSync(lease, checkout);
  if (!evictionUnderWay(cacheRoot, key)) return true;
  rmSync(lease, { force: true });
  return false;
}

export function releaseLease(cacheRoot: string, key: string, checkout: string): void {
  rmSync(leasePath(cacheRoot, key, checkout), { force: true });
}

export function entryInUse(cacheRoot: string, key: string): boolean {
  return leasesOf(cacheRoot, key).some(isLive);
}

/** Claims `key` for eviction: false when it is in use or another process is evicting it. */
export function beginEviction(cacheRoot: string, key: string): boolean {
  mkdirSync(leasesDir(cacheRoot), { recursive: true });
  const own = markerPath(cacheRoot, key);
  writeFileSync(own, "");
  if (!markersOf(cacheRoot, key).some((m) => m !== own && markerLive(m)) && !entryInUse(cacheRoot, key)) return true;
  rmSync(own, { force: true });
  return false;
}

export function endEviction(cacheRoot: string, key: string): void {
  rmSync(markerPath(cacheRoot, key), { force: true });
}

/** Last use, for least-recently-used eviction: the entry dir's mtime. */
export function touchEntry(cacheRoot: string, key: string): void {
  const now = new Date();
  try {
    utimesSync(join(cacheRoot, key), now, now);
  } catch {}
}

/** Removes the leases and markers of processes that are gone and leases of removed checkouts. */
export function sweepStaleLeases(cacheRoot: string): void {
  const dir = leasesDir(cacheRoot);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stale = name.includes(MARKER) ? !markerLive(path) : !isLive(path);
    if (stale) rmSync(path, { force: true });
  }
}

function leasePath(cacheRoot: string, key: string, checkout: string): string {
  const tag = createHash("sha256").update(checkout).digest("hex").slice(0, 16);
  return join(leasesDir(cacheRoot), `${key}@${process.pid}@${tag}`);
}

const MARKER = ".evicting.";

function markerPath(cacheRoot: string, key: string): string {
  return join(leasesDir(cacheRoot), `${key}${MARKER}${process.pid}`);
}

function leasesOf(cacheRoot: string, key: string): string[] {
  return namesStartingWith(cacheRoot, `${key}@`);
}

function markersOf(cacheRoot: string, key: string): string[] {
  return namesStartingWith(cacheRoot, `${key}${MARKER}`);
}

function namesStartingWith(cacheRoot: string, prefix: string): string[] {
  const dir = leasesDir(cacheRoot);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => join(dir, name));
}

function isLive(lease: string): boolean {
  const pid = Number(lease.split("@").at(-2));
  if (!alive(pid)) return false;
  let checkout: string;
  try {
    checkout = readFileSync(lease, "utf8");
  } catch {
    return false;
  }
  // Being written right now: count it as live.
  return checkout === "" || existsSync(checkout);
}

/** Another process is evicting `key` (a marker of a process that died does not count). */
function evictionUnderWay(cacheRoot: string, key: string): boolean {
  return markersOf(cacheRoot, key).some(markerLive);
}

function markerLive(marker: string): boolean {
  return alive(Number(marker.slice(marker.lastIndexOf(".") + 1)));
}

function alive(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
}
