import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, posix, sep } from "node:path";

/**
 * Plain, bounded reads of an untrusted checkout: nothing is executed, a path is always relative and inside,
 * and a file or folder reached through a symbolic link that leads out of the checkout is not read (a link
 * inside it is; a folder that is a link is never walked into, so no loop). Every limit is a count or a size.
 */
export type FileRead = { ok: true; text: string } | { ok: false; missing: boolean; why: string };
export type Located = { kind: "file"; real: string; size: number } | { kind: "missing" } | { kind: "refused"; why: string };

export class CheckoutFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = realpathSync(root);
  }

  /** Whether `rel` (posix, relative) is a regular file inside the checkout, following links that stay inside. */
  locate(rel: string): Located {
    if (!isInsideRelative(rel)) return { kind: "refused", why: `${rel}: not a path inside the checkout` };
    const path = join(this.root, ...rel.split("/"));
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      return lstatOk(path) ? { kind: "refused", why: `${rel}: a symbolic link to nothing` } : { kind: "missing" };
    }
    if (real !== this.root && !real.startsWith(this.root + sep)) return { kind: "refused", why: `${rel}: a symbolic link leading out of the checkout (not read)` };
    try {
      const stat = statSync(real);
      return stat.isFile() ? { kind: "file", real, size: stat.size } : { kind: "refused", why: `${rel}: not a regular file` };
    } catch {
      return { kind: "missing" };
    }
  }

  /** The text of `rel`, if it is a regular file inside the checkout of at most `maxBytes`. */
  read(rel: string, maxBytes: number): FileRead {
    const found = this.locate(rel);
    if (found.kind === "missing") return { ok: false, missing: true, why: `${rel}: absent` };
    if (found.kind === "refused") return { ok: false, missing: false, why: found.why };
    const tooLarge = { ok: false as const, missing: false, why: `${rel}: larger than ${Math.round(maxBytes / 1024)} KiB (not read)` };
    if (found.size > maxBytes) return tooLarge;
    try {
      const text = readFileSync(found.real, "utf8");
      // It may have grown since the stat.
      return Buffer.byteLength(text) > maxBytes ? tooLarge : { ok: true, text };
    } catch (err) {
      return { ok: false, missing: false, why: `${rel}: unreadable (${(err as NodeJS.ErrnoException).code ?? "error"})` };
    }
  }

  /** Real subfolders of `rel` (not links, not `node_modules`, not dot-folders), sorted; [] when it is none. */
  subfolders(rel: string): string[] {
    if (!isInsideRelative(rel)) return [];
    const path = rel === "" ? this.root : join(this.root, ...rel.split("/"));
    try {
      if (!lstatSync(path).isDirectory()) return [];
      return readdirSync(path, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.isSymbolicLink() && e.name !== "node_modules" && !e.name.startsWith("."))
        .map((e) => e.name)
        .sort();
    } catch {
      return [];
    }
  }
}

/** "", "a", "a/b": no absolute path, no `..`, no empty or `.` segment, no backslash. */
export function isInsideRelative(rel: string): boolean {
  if (rel === "") return true;
  if (rel.startsWith("/") || rel.includes("\\") || rel.includes("\0")) return false;
  return rel.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

export function joinRelative(dir: string, name: string): string {
  return dir === "" ? name : posix.join(dir, name);
}

function lstatOk(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
