import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, linkSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { findNodeModules, storeEntry } from "./cache.ts";
import { pruneCache } from "./cache-evict.ts";
import { beginEviction, endEviction, entryInUse, leaseEntry, leasesDir, sweepStaleLeases, touchEntry } from "./cache-lease.ts";

const root = tempDir("pushpals-deps-evict-");
afterAll(() => root.cleanup());
let n = 0;

const KB = 1024;

/** A worktree whose node_modules holds one file of `kb` KiB (random bytes: no file system compresses them away). */
function worktree(kb: number): string {
  const dir = join(root.path, `wt${++n}`);
  mkdirSync(join(dir, "node_modules/pkg"), { recursive: true });
  writeFileSync(join(dir, "node_modules/pkg/blob.bin"), crypto.getRandomValues(new Uint8Array(kb * KB)));
  return dir;
}

async function entry(cache: string, key: string, kb = 256, usedSecondsAgo = 0): Promise<void> {
  const dir = worktree(kb);
  expect(await storeEntry(cache, key, dir, findNodeModules(dir))).toBe("stored");
  const at = new Date(Date.now() - usedSecondsAgo * 1000);
  utimesSync(join(cache, key), at, at);
}

const entries = (cache: string) => readdirSync(cache).filter((name) => !name.startsWith(".")).sort();

/** A pid that is certainly gone: a process that already exited. */
function deadPid(): number {
  const p = Bun.spawnSync(["true"]);
  return p.pid;
}

describe("the dependency cache stays under its size", () => {
  test("storing a third entry over the limit evicts the least recently used one; one used since survives", async () => {
    const cache = join(root.path, "lru");
    await entry(cache, "npm-a", 256, 300);
    await entry(cache, "npm-b", 256, 200);
    touchEntry(cache, "npm-a"); // a cache hit on a: now b is the least recently used
    await entry(cache, "npm-c", 256, 0);
    const result = pruneCache(cache, 600 * KB);
    expect(result.evicted).toEqual(["npm-b"]);
    expect(entries(cache)).toEqual(["npm-a", "npm-c"]);
    expect(result.before).toBeGreaterThan(3 * 256 * KB);
    expect(result.after).toBeLessThanOrEqual(600 * KB);
    expect(result.after).toBeLessThan(result.before - 250 * KB);
  });

  test("under the limit nothing goes", async () => {
    const cache = join(root.path, "under");
    await entry(cache, "npm-a", 64, 100);
    await entry(cache, "npm-b", 64, 50);
    expect(pruneCache(cache, 10 * 1024 * KB).evicted).toEqual([]);
    expect(entries(cache)).toEqual(["npm-a", "npm-b"]);
  });

  test("an entry in use is never removed, however old; once its checkout is gone it can go", async () => {
    const cache = join(root.path, "in-use");
    await entry(cache, "npm-old", 256, 1000);
    await entry(cache, "npm-new", 256, 0);
    const checkout = join(root.path, `checkout${++n}`);
    mkdirSync(checkout);
    expect(leaseEntry(cache, "npm-old", checkout)).toBe(true);
    const result = pruneCache(cache, 1);
    expect(result.inUse).toEqual(["npm-old"]);
    expect(result.evicted).toEqual(["npm-new"]);
    expect(entries(cache)).toEqual(["npm-old"]);
    rmSync(checkout, { recursive: true });
    expect(pruneCache(cache, 1).evicted).toEqual(["npm-old"]);
    expect(entries(cache)).toEqual([]);
  });

  test("hard links are counted once, across entries too", async () => {
    const cache = join(root.path, "links");
    await entry(cache, "npm-a", 512);
    await entry(cache, "npm-b", 1);
    // As if both entries shared the big file (what a hard-linking package store can give).
    const shared = join(cache, "npm-b/node_modules/pkg/shared.bin");
    linkSync(join(cache, "npm-a/node_modules/pkg/blob.bin"), shared);
    const { before } = pruneCache(cache, Number.MAX_SAFE_INTEGER);
    expect(before).toBeGreaterThanOrEqual(512 * KB);
    expect(before).toBeLessThan(2 * 512 * KB);
  });
});

describe("leases", () => {
  test("a lease of a process that is gone does not count, and is swept", () => {
    const cache = join(root.path, "dead");
    mkdirSync(leasesDir(cache), { recursive: true });
    const checkout = join(root.path, `checkout${++n}`);
    mkdirSync(checkout);
    writeFileSync(join(leasesDir(cache), `npm-x@${deadPid()}@0123456789abcdef`), checkout);
    expect(entryInUse(cache, "npm-x")).toBe(false);
    sweepStaleLeases(cache);
    expect(readdirSync(leasesDir(cache))).toEqual([]);
    expect(leaseEntry(cache, "npm-x", checkout)).toBe(true);
    expect(entryInUse(cache, "npm-x")).toBe(true);
  });

  test("an entry being evicted is not handed out, and an entry handed out is not evicted", () => {
    const cache = join(root.path, "order");
    const checkout = join(root.path, `checkout${++n}`);
    mkdirSync(checkout);
    expect(beginEviction(cache, "npm-y")).toBe(true);
    expect(leaseEntry(cache, "npm-y", checkout)).toBe(false);
    endEviction(cache, "npm-y");
    expect(leaseEntry(cache, "npm-y", checkout)).toBe(true);
    expect(beginEviction(cache, "npm-y")).toBe(false);
    expect(existsSync(join(leasesDir(cache), `npm-y.evicting.${process.pid}`))).toBe(false);
  });
});
