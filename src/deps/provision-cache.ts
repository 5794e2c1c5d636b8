import { sweepDeadProcessDirs } from "./dead-process-dirs.ts";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/**
 * Provisioned package managers: `<runtime>/package-managers/<pm>@<version>/` holds the release's package
 * (`package/`), the command that runs it (`bin/<pm>`, a shim found through PATH) and `provision.json`. An
 * entry is built in a staging dir beside it and renamed into place, so an entry that exists is complete;
 * two jobs provisioning one version both build one, the rename picks the winner and the loser deletes its own.
 */
export const PACKAGE_MANAGERS_DIR = "package-managers";

export const ProvisionRecord = z.strictObject({
  format: z.literal(1),
  pm: z.string(),
  /** The npm package it came from ("pnpm", "@yarnpkg/cli-dist", "@oven/bun-linux-x64"). */
  package: z.string(),
  version: z.string(),
  /** The registry's `dist.integrity` the tarball matched. */
  integrity: z.string(),
  /** Hex digests of the tarball and of the entry file (by algorithm): what a `packageManager` hash is checked against. */
  digests: z.record(z.string(), z.string()),
  entryDigests: z.record(z.string(), z.string()),
  /** The file that runs it, relative to the entry's `package/`. */
  entry: z.string(),
  createdAt: z.string(),
});
export type ProvisionRecord = z.infer<typeof ProvisionRecord>;

export interface ProvisionedEntry {
  /** The entry's directory: `package/`, `bin/`, `provision.json`. */
  dir: string;
  record: ProvisionRecord;
}

const RECORD_FILE = "provision.json";
const STAGING_PREFIX = ".staging-";

export function packageManagersDir(runtimeDir: string): string {
  return join(runtimeDir, PACKAGE_MANAGERS_DIR);
}

export function entryName(pm: string, version: string): string {
  return `${pm}@${version}`;
}

/** The complete entry of exactly `pm@version`, or null (absent, or not whole: its record, package file or shim missing). */
export function readEntry(root: string, pm: string, version: string): ProvisionedEntry | null {
  const dir = join(root, entryName(pm, version));
  let record: ProvisionRecord;
  try {
    record = ProvisionRecord.parse(JSON.parse(readFileSync(join(dir, RECORD_FILE), "utf8")));
  } catch {
    return null;
  }
  if (record.pm !== pm || record.version !== version) return null;
  if (!existsSync(join(dir, "package", record.entry)) || !existsSync(join(dir, "bin", pm))) return null;
  return { dir, record };
}

/** Every complete entry of `pm`, highest version first. */
export function listEntries(root: string, pm: string): ProvisionedEntry[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const entries = names.filter((n) => n.startsWith(`${pm}@`)).flatMap((n) => readEntry(root, pm, n.slice(pm.length + 1)) ?? []);
  return entries.sort((a, b) => Bun.semver.order(b.record.version, a.record.version));
}

/** An empty staging dir in `root` (same file system: the rename into place is atomic), named after this process. */
export function stagingDir(root: string): string {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  sweepStaging(root);
  return mkdtempSync(join(root, `${STAGING_PREFIX}${process.pid}-`));
}

/** Moves a built entry into place. "raced": another job's complete entry was there first, and `built` is deleted. */
export function commitEntry(built: string, root: string, name: string): "stored" | "raced" {
  try {
    if (existsSync(join(root, name))) return "raced";
    renameSync(built, join(root, name));
    return "stored";
  } catch (err) {
    // rename(2) onto a non-empty directory fails: the other job's complete entry stays.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") return "raced";
    throw err;
  } finally {
    rmSync(built, { recursive: true, force: true });
  }
}

/** Moves a damaged entry out of the way atomically (a reader sees it whole or not at all), then deletes it. */
export function removeEntry(root: string, name: string): void {
  const trash = mkdtempSync(join(root, `${STAGING_PREFIX}${process.pid}-trash-`));
  try {
    renameSync(join(root, name), join(trash, name));
  } catch {}
  rmSync(trash, { recursive: true, force: true });
}

/** Staging dirs of processes that are gone (killed mid-provisioning) are removed; those of live ones stay. */
export function sweepStaging(root: string): number {
  return sweepDeadProcessDirs(root, new RegExp(`^${STAGING_PREFIX.replace(".", "\\.")}(\\d+)-`));
}
