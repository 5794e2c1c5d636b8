import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { copyTree } from "./copy-tree.ts";

/**
 * The dependency cache: `<deps-cache>/<key>/node_modules` (plus any workspace `node_modules`, at the same
 * relative paths), keyed by package manager, its version, the lockfile hash and what the install reads of
 * the manifests (install-manifests.ts), bounded in size (cache-evict.ts, cache-lease.ts). An entry is built in a
 * temp dir in the cache root and renamed into place, so an entry that exists is complete; two jobs racing
 * on one key both build one, the rename picks the winner and the loser deletes its own.
 *
 * What goes in: only what a frozen-lockfile install made in a fresh checkout of the commit, before any
 * job command ran there, and only when the commit itself tracks nothing under a `node_modules` dir (see
 * prepare.ts). A checkout a job's command has touched never feeds the cache.
 *
 * Sharing: inside the sandbox an entry's `node_modules` dirs are mounted read-only into the checkout, so
 * a hit copies nothing and the kernel refuses every write, chmod included (`SCRATCH_DIRS` are private
 * tmpfs mounts for tool caches). The entry's files are also made read-only (a-w) and the manifest
 * records a fingerprint (path, size, mode, mtime of every file), checked before each hit: a changed entry
 * is evicted and reinstalled, never handed to another job. With `sandbox.mode = "off"` the checkout gets
 * a hard-linked copy instead, which a command running as the worker's user could write through: the
 * sandbox off is no isolation at all.
 */
export interface Manifest {
  format: 2;
  key: string;
  /** Relative paths of the `node_modules` dirs stored in the entry ("node_modules" first). */
  dirs: string[];
  fingerprint: string;
  createdAt: string;
}

const STALE_TEMP_MS = 60 * 60 * 1000;

/** A stable, filesystem-safe key: `<pm>-<sha256 of every part>` (first 40 hex digits). */
export function cacheKey(pm: string, parts: Record<string, string | boolean>): string {
  const canonical = JSON.stringify(Object.entries(parts).sort(([a], [b]) => a.localeCompare(b)));
  return `${pm}-${createHash("sha256").update(canonical).digest("hex").slice(0, 40)}`;
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

export function readManifest(cacheRoot: string, key: string): Manifest | null {
  try {
    const manifest = JSON.parse(readFileSync(join(cacheRoot, key, "manifest.json"), "utf8")) as Manifest;
    const safeDirs = Array.isArray(manifest.dirs) && manifest.dirs.every(isNodeModulesPath);
    return manifest.format === 2 && manifest.key === key && safeDirs ? manifest : null;
  } catch {
    return null;
  }
}

/** Fingerprint of the entry's files; `readOnly` first strips write permission from every regular file. */
export function fingerprintTree(root: string, dirs: string[], readOnly = false): string {
  const hash = createHash("sha256");
  const walk = (rel: string) => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    if (st.isSymbolicLink()) return void hash.update(`l\0${rel}\0${readlinkSync(abs)}\n`);
    if (st.isDirectory()) {
      hash.update(`d\0${rel}\n`);
      for (const name of readdirSync(abs).sort()) walk(join(rel, name));
      return;
    }
    let mode = st.mode;
    if (readOnly && mode & 0o222) {
      mode &= ~0o222;
      chmodSync(abs, mode & 0o7777);
    }
    hash.update(`f\0${rel}\0${st.size}\0${mode & 0o7777}\0${st.mtimeMs}\n`);
  };
  for (const dir of dirs) walk(dir);
  return hash.digest("hex");
}

/** True if the entry is exactly as stored; otherwise it is evicted so the next job reinstalls. */
export function verifyEntry(cacheRoot: string, manifest: Manifest): boolean {
  try {
    if (fingerprintTree(join(cacheRoot, manifest.key), manifest.dirs) === manifest.fingerprint) return true;
  } catch {
    // A file vanished mid-walk: as good as changed.
  }
  evictEntry(cacheRoot, manifest.key);
  return false;
}

/** Gives the worktree its own copy of each cached `node_modules` (hard links where possible). */
export async function restoreEntry(cacheRoot: string, manifest: Manifest, worktree: string): Promise<"linked" | "copied"> {
  let how: "linked" | "copied" = "linked";
  for (const rel of manifest.dirs) {
    const target = join(worktree, rel);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(dirname(target), { recursive: true });
    if ((await copyTree(join(cacheRoot, manifest.key, rel), target)) === "copied") how = "copied";
  }
  return how;
}

/** Empty in every stored `node_modules`: where a sandbox mounts private scratch space (tool caches). */
export const SCRATCH_DIRS = [".cache", ".vite"];

/**
 * Stores the `node_modules` dirs an install just made in a fresh checkout (`dirs`, none at all is a
 * valid entry: a project without dependencies) under `key`. `move` takes them out of the checkout (a
 * rename: instant) instead of copying; on a lost race they are moved back. "raced": another job stored
 * the same key first (its entry is used from now on, ours is deleted); "pnp": Yarn Plug'n'Play keeps no
 * node_modules, so there is nothing to reuse.
 */
export async function storeEntry(cacheRoot: string, key: string, worktree: string, dirs: string[], options: { move?: boolean } = {}): Promise<"stored" | "raced" | "pnp"> {
  if (dirs.length === 0 && [".pnp.cjs", ".pnp.js"].some((f) => existsSync(join(worktree, f)))) return "pnp";
  mkdirSync(cacheRoot, { recursive: true });
  sweepStaleTemps(cacheRoot);
  const temp = join(cacheRoot, `.tmp-${key}-${randomBytes(6).toString("hex")}`);
  const moved: string[] = [];
  let stored = false;
  try {
    mkdirSync(temp);
    for (const rel of dirs) {
      mkdirSync(dirname(join(temp, rel)), { recursive: true });
      if (options.move && moveDir(join(worktree, rel), join(temp, rel))) moved.push(rel);
      else await copyTree(join(worktree, rel), join(temp, rel));
      for (const scratch of SCRATCH_DIRS) mkdirSync(join(temp, rel, scratch), { recursive: true });
    }
    const fingerprint = fingerprintTree(temp, dirs, true);
    const manifest: Manifest = { format: 2, key, dirs, fingerprint, createdAt: new Date().toISOString() };
    writeFileSync(join(temp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(join(cacheRoot, key))) return "raced";
    renameSync(temp, join(cacheRoot, key));
    stored = true;
    return "stored";
  } catch (err) {
    // rename(2) onto a non-empty directory fails: the other job's complete entry stays.
    if (isRaceLoss(err)) return "raced";
    throw err;
  } finally {
    if (!stored) for (const rel of moved) moveBack(join(temp, rel), join(worktree, rel));
    rmSync(temp, { recursive: true, force: true });
  }
}

/** rename(2) within one file system; false across file systems (the caller copies instead). */
function moveDir(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EXDEV") return false;
    throw err;
  }
}

/** The checkout gets its own install back (writable again) when it is not cached after all. */
function moveBack(from: string, to: string): void {
  try {
    renameSync(from, to);
    Bun.spawnSync(["chmod", "-R", "u+w", to], { stdout: "ignore", stderr: "ignore" });
  } catch {}
}

/** Moves the entry out of the way atomically (a reader sees it whole or not at all), then deletes it. */
export function evictEntry(cacheRoot: string, key: string): void {
  const trash = join(cacheRoot, `.trash-${key}-${randomBytes(6).toString("hex")}`);
  try {
    renameSync(join(cacheRoot, key), trash);
  } catch {
    return;
  }
  rmSync(trash, { recursive: true, force: true });
}

/** The checkout's `node_modules` dirs: the root one, and those of workspace packages (not nested ones). */
export function findNodeModules(worktree: string, maxDepth = 4): string[] {
  const found: string[] = [];
  const walk = (rel: string, depth: number) => {
    for (const entry of readdirSync(join(worktree, rel), { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === ".git") continue;
      const child = rel ? join(rel, entry.name) : entry.name;
      if (entry.name === "node_modules") found.push(child);
      else if (depth < maxDepth && !entry.name.startsWith(".")) walk(child, depth + 1);
    }
  };
  walk("", 0);
  return found.sort((a, b) => (a === "node_modules" ? -1 : b === "node_modules" ? 1 : a.localeCompare(b)));
}

/** `node_modules` or `a/b/node_modules`, relative and without `..`: a manifest never points outside. */
function isNodeModulesPath(rel: unknown): boolean {
  if (typeof rel !== "string") return false;
  const parts = rel.split("/");
  return parts.at(-1) === "node_modules" && parts.every((p) => p !== "" && p !== "." && p !== "..");
}

function isRaceLoss(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === "ENOTEMPTY" || code === "EEXIST";
}

/** Temp and trash dirs left by a worker that died mid-store are removed once they are an hour old. */
function sweepStaleTemps(cacheRoot: string): void {
  for (const name of readdirSync(cacheRoot)) {
    if (!name.startsWith(".tmp-") && !name.startsWith(".trash-")) continue;
    const path = join(cacheRoot, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_TEMP_MS) rmSync(path, { recursive: true, force: true });
    } catch {}
  }
}
