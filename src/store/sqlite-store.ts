import { sqliteWorkItemStore } from "./work-items/sqlite-work-item-store.ts";
import { sqliteTestRunStore } from "./test-runs/sqlite-test-run-store.ts";
import { sqliteModelExchangeStore } from "./model-exchanges/sqlite-model-exchange-store.ts";
import type { Database } from "bun:sqlite";
import { sqliteAuditStore } from "./audit/sqlite-audit-store.ts";
import { sqliteComponentStore } from "./components/sqlite-component-store.ts";
import type { OpenOptions } from "./database.ts";
import { sqliteEventStore } from "./events/sqlite-event-store.ts";
import { sqliteJobStore } from "./jobs/sqlite-job-store.ts";
import { sqliteWorkerStore } from "./jobs/sqlite-worker-store.ts";
import { sqliteMetaStore } from "./meta/sqlite-meta-store.ts";
import { sqlitePrStore } from "./prs/sqlite-pr-store.ts";
import { SqliteConnection } from "./sqlite-connection.ts";
import type { Store } from "./store.ts";

type Ports = Omit<Store, "write" | "close">;

// The ports' methods are copied onto the instance in the constructor; this declaration tells the type
// checker, and the constructor's `ports: Ports` makes sure every method is there.
export interface SqliteStore extends Ports {}

/**
 * SQLite backend: every domain's SQLite store over one connection, so they share one `write` (one
 * transaction, savepoints inside it) and one prepared-statement cache.
 */
export class SqliteStore implements Store {
  readonly db: Database;
  private readonly sqlite: SqliteConnection;

  constructor(
    readonly path: string,
    options: OpenOptions = {},
  ) {
    this.sqlite = new SqliteConnection(path, options);
    this.db = this.sqlite.db;
    const ports: Ports = {
      ...sqliteJobStore(this.sqlite),
      ...sqliteWorkerStore(this.sqlite),
      ...sqliteEventStore(this.sqlite),
      ...sqliteAuditStore(this.sqlite),
      ...sqliteMetaStore(this.sqlite),
      ...sqliteComponentStore(this.sqlite),
      ...sqlitePrStore(this.sqlite),
      ...sqliteWorkItemStore(this.sqlite),
      ...sqliteTestRunStore(this.sqlite),
      ...sqliteModelExchangeStore(this.sqlite),
    };
    Object.assign(this, ports);
  }

  write<T>(fn: () => T): T {
    return this.sqlite.write(fn);
  }

  close(): void {
    this.sqlite.close();
  }
}
