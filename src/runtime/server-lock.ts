import { Database } from "bun:sqlite";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/**
 * One server per repository. The lock is an exclusive SQLite lock (a POSIX record lock underneath)
 * on `<runtime>/server.lock`, held for the life of the process: the kernel drops it when the process
 * exits, even on kill -9, so a crashed server never leaves a stale lock behind.
 */
export class ServerLock {
  private constructor(private readonly db: Database) {}

  /** Returns the lock, or null if another live process holds it. */
  static tryAcquire(path: string): ServerLock | null {
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path, { create: true });
    try {
      // A short wait lets a concurrent `isHeld` probe (a brief shared lock) pass; a real holder keeps
      // its lock for life, so this still fails fast when another process owns the runtime.
      db.exec("PRAGMA busy_timeout = 250");
      db.exec("PRAGMA locking_mode = EXCLUSIVE");
      db.exec("PRAGMA journal_mode = DELETE");
      // The first write takes the exclusive lock; EXCLUSIVE locking mode keeps it after commit.
      db.exec("BEGIN EXCLUSIVE");
      db.exec("CREATE TABLE IF NOT EXISTS holder (pid INTEGER)");
      db.exec("DELETE FROM holder");
      db.run("INSERT INTO holder (pid) VALUES (?)", [process.pid]);
      db.exec("COMMIT");
      return new ServerLock(db);
    } catch {
      db.close();
      return null;
    }
  }

  /**
   * Is a live process holding the lock? The only reliable answer to "is PushPals running": pid files
   * survive crashes and reboots, and their pids get reused by unrelated processes.
   */
  static isHeld(path: string): boolean {
    if (!existsSync(path)) return false;
    let db: Database | null = null;
    try {
      db = new Database(path, { readonly: true });
      db.exec("PRAGMA busy_timeout = 0");
      db.query("SELECT count(*) FROM sqlite_master").get();
      return false;
    } catch (err) {
      return /locked|busy/i.test((err as Error).message);
    } finally {
      db?.close();
    }
  }

  release(): void {
    this.db.close();
  }
}
