import { dlopen, FFIType } from "bun:ffi";
import { closeSync, existsSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { ensurePrivateDir } from "./private-dir.ts";

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

let libc: { flock: (fd: number, op: number) => number } | null = null;

/** flock(2) from the C library. Bun opens files close-on-exec, so children never inherit a held lock. */
function flock(fd: number, op: number): boolean {
  if (!libc) {
    const name = process.platform === "darwin" ? "libc.dylib" : "libc.so.6";
    libc = dlopen(name, { flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 } }).symbols;
  }
  return libc.flock(fd, op) === 0;
}

/**
 * One process per lock file (server, supervisor). The lock is a kernel `flock` on the file, held for
 * the life of the process: the kernel drops it when the process exits, even on kill -9, so a crash
 * never leaves a stale lock, and two processes racing for it can never both win or both lose.
 */
export class ServerLock {
  private constructor(private fd: number | null) {}

  /** Returns the lock, or null if another live process holds it. */
  static tryAcquire(path: string): ServerLock | null {
    ensurePrivateDir(dirname(path));
    const fd = openSync(path, "a+", 0o600);
    if (!flock(fd, LOCK_EX | LOCK_NB)) {
      closeSync(fd);
      return null;
    }
    // The pid is for people reading the file; liveness is decided by the lock alone.
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`);
    return new ServerLock(fd);
  }

  /**
   * Is a live process holding the lock? The only reliable answer to "is PushPals running": pid files
   * survive crashes and reboots, and their pids get reused by unrelated processes.
   */
  static isHeld(path: string): boolean {
    if (!existsSync(path)) return false;
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch {
      return false;
    }
    try {
      if (!flock(fd, LOCK_SH | LOCK_NB)) return true;
      flock(fd, LOCK_UN);
      return false;
    } finally {
      closeSync(fd);
    }
  }

  release(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}
