import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nativeSeccompArch, seccompFilter } from "./seccomp-filter.ts";

let program: Uint8Array | null | undefined;
let file: string | undefined;

/**
 * The seccomp program as a file for bwrap (`--seccomp FD`, opened by the launch prelude), or null on
 * an architecture without one. It lives in a directory only this user can write (0700, checked), so
 * no one else can swap it for a program that allows everything; named by its content, so every worker
 * of the user shares the one file and nothing piles up in /tmp. Written again if a tmp cleaner removed it.
 */
export function seccompFilterFile(): string | null {
  if (program === undefined) {
    const arch = nativeSeccompArch();
    program = arch ? seccompFilter(arch) : null;
  }
  if (!program) return null;
  if (file === undefined || !existsSync(file)) file = write(program);
  return file;
}

function write(bytes: Uint8Array): string {
  const name = `${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}.bpf`;
  const dir = privateDir(join(tmpdir(), `pushpals-seccomp-${process.getuid?.() ?? "user"}`)) ?? fallbackDir();
  const target = join(dir, name);
  if (!sameBytes(target, bytes)) {
    // Other workers may be reading it: a new file renamed over it, never a partial one.
    const partial = `${target}.${process.pid}.tmp`;
    writeFileSync(partial, bytes, { mode: 0o400 });
    renameSync(partial, target);
  }
  return target;
}

/** `dir`, made if needed, when it is a real directory of this user's that no one else may write; otherwise null. */
function privateDir(dir: string): string | null {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") return null;
  }
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.();
    return stat.isDirectory() && (uid === undefined || stat.uid === uid) && (stat.mode & 0o077) === 0 ? dir : null;
  } catch {
    return null;
  }
}

/** Someone else holds the shared name: a directory of this process's own, removed when it exits. */
function fallbackDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "pushpals-seccomp-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sameBytes(path: string, bytes: Uint8Array): boolean {
  try {
    return Buffer.from(bytes).equals(readFileSync(path));
  } catch {
    return false;
  }
}
