import { createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { copyTree } from "./copy-tree.ts";

/**
 * The dependency cache: `<deps-cache>/<key>/node_modules` (plus any workspace `node_modules`, at the same
 * relative paths), keyed by package manager, its version and the lockfile hash. An entry is built in a
 * temp dir in the cache root and renamed into place, so an entry that exists is complete; two jobs racing
 * on one key both build one, the rename picks the winner and the loser deletes its own.
 *
 * Sharing: a worktree gets a hard-linked copy (`cp -al`) of the entry, so a hit costs a directory walk,
 * not a copy. Hard links share inodes, so a job writing *into* a dependency file would change it for every
 * later job. Three defences, safest first:
 *  1. the entry's files are made read-only (a-w) when it is stored: an in-place write fails loudly (EACCES)
 *     instead of corrupting the cache (directories stay writable, so a job can still add or delete files:
 *     deleting a hard link, or a package manager replacing a file by rename, never touches the cache);
 *  2. the manifest records a fingerprint (path, size, mode, mtime of every file) that is checked before each
 *     hit: a changed entry (root ignores a-w; a job can chmod a file back) is evicted and reinstalled, never
 *     handed to another job;
 *  3. across filesystems, where hard links are impossible, the worktree gets a plain, private copy.
 * A job that deliberately rewrites a file and restores its mtime is not defended against: it already runs
 * arbitrary code as the worker's user.
 */
export interface Manifest {
  format: 1;
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
    return manifest.format === 1 && manifest.key === key && safeDirs ? manifest : null;
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

/**
 * Stores the worktree's freshly installed `node_modules` dirs under `key` (none at all is a valid entry: a
 * project without dependencies). "raced": another job stored the same key first (its entry is used from
 * now on, ours is deleted); "pnp": Yarn Plug'n'Play keeps no node_modules, so there is nothing to reuse.
 */
export async function storeEntry(cacheRoot: string, key: string, worktree: string): Promise<"stored" | "raced" | "pnp"> {
  const dirs = findNodeModules(worktree);
  if (dirs.length === 0 && [".pnp.cjs", ".pnp.js"].some((f) => existsSync(join(worktree, f)))) return "pnp";
  mkdirSync(cacheRoot, { recursive: true });
  sweepStaleTemps(cacheRoot);
  const temp = join(cacheRoot, `.tmp-${key}-${randomBytes(6).toString("hex")}`);
  try {
    mkdirSync(temp);
    for (const rel of dirs) {
      mkdirSync(dirname(join(temp, rel)), { recursive: true });
      await copyTree(join(worktree, rel), join(temp, rel));
    }
    const fingerprint = fingerprintTree(temp, dirs, true);
    const manifest: Manifest = { format: 1, key, dirs, fingerprint, createdAt: new Date().toISOString() };
    writeFileSync(join(temp, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(join(cacheRoot, key))) return "raced";
    renameSync(temp, join(cacheRoot, key));
    return "stored";
  } catch (err) {
    // rename(2) onto a non-empty directory fails: the other job's complete entry stays.
    if (isRaceLoss(err)) return "raced";
    throw err;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
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

/** The worktree's `node_modules` dirs: the root one, and those of workspace packages (not nested ones). */
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
