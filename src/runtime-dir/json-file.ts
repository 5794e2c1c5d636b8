import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { z } from "zod";

/** Reads a small JSON state file; missing, unreadable or not matching the schema means "none". */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S): z.infer<S> | null {
  if (!existsSync(path)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Atomic write (temp file + rename) so a reader never sees half a file; private to the user. */
export function writeJsonFile(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** Removes a pid-stamped state file only if it still describes this process (a newer one may own it). */
export function removeOwnJsonFile(path: string, pid: number, read: (path: string) => { pid: number } | null): void {
  const info = read(path);
  if (info && info.pid !== pid) return;
  rmSync(path, { force: true });
}
