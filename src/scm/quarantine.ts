import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";

/**
 * A private index and object directory outside the repository: staging a worktree writes only here,
 * so a rejected commit leaves no index change and no object behind. Only an accepted commit's objects
 * are moved into the repository (the way git's own receive-pack quarantine works).
 */
export interface Quarantine {
  indexFile: string;
  objectDir: string;
  realObjectDir: string;
  /** Moves the new objects into the repository's object store; packs' .idx last, so no pack is seen half-written. */
  migrate(): void;
  cleanup(): void;
}

export function createQuarantine(realObjectDir: string): Quarantine {
  const root = mkdtempSync(join(tmpdir(), "pushpals-stage-"));
  const objectDir = join(root, "objects");
  mkdirSync(objectDir);
  return {
    indexFile: join(root, "index"),
    objectDir,
    realObjectDir,
    migrate: () => migrateObjects(objectDir, realObjectDir),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Copies new objects from `from` into the object store `to` (never its info/, never half-written files). */
export function migrateObjects(from: string, to: string): void {
  // tmp_* are git's own half-written files (a killed process); info/ would hold our alternates list.
  const files = listFiles(from).filter((f) => !relative(from, f).startsWith("info") && !basename(f).startsWith("tmp_"));
  const ordered = [...files.filter((f) => !f.endsWith(".idx")), ...files.filter((f) => f.endsWith(".idx"))];
  for (const file of ordered) {
    const dest = join(to, relative(from, file));
    if (existsSync(dest)) continue;
    mkdirSync(dirname(dest), { recursive: true });
    const partial = `${dest}.pushpals-${process.pid}-${Date.now()}`;
    copyFileSync(file, partial);
    renameSync(partial, dest);
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
