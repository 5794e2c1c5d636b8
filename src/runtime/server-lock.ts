import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
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
      db.exec("PRAGMA busy_timeout = 0");
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

  release(): void {
    this.db.close();
  }
}
