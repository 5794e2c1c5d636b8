import type { Database, Statement } from "bun:sqlite";
import { openDatabase, type OpenOptions } from "./database.ts";

/**
 * One SQLite database shared by every per-domain SQLite store: WAL, BEGIN IMMEDIATE for every write,
 * prepared statements reused.
 */
export class SqliteConnection {
  readonly db: Database;
  private readonly statements = new Map<string, Statement>();

  constructor(path: string, options: OpenOptions = {}) {
    this.db = openDatabase(path, options);
  }

  /** The prepared statement for this SQL, prepared on first use. */
  q(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.query(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * One BEGIN IMMEDIATE transaction; called inside another, a savepoint (atomic on its own). The
   * statements are prepared once: on the hot path the commit itself should be the only real cost.
   */
  write<T>(fn: () => T): T {
    if (this.db.inTransaction) {
      this.q("SAVEPOINT nested").run();
      try {
        const result = fn();
        this.q("RELEASE nested").run();
        return result;
      } catch (err) {
        this.q("ROLLBACK TO nested").run();
        this.q("RELEASE nested").run();
        throw err;
      }
    }
    this.q("BEGIN IMMEDIATE").run();
    try {
      const result = fn();
      this.q("COMMIT").run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.q("ROLLBACK").run();
      throw err;
    }
  }

  close(): void {
    for (const statement of this.statements.values()) statement.finalize();
    this.statements.clear();
    this.db.close();
  }
}
