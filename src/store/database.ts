import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { migrate } from "./migrations.ts";

export interface OpenOptions {
  readonly?: boolean;
}

/** Opens (creating if needed) the SQLite database with the durability settings PushPals relies on. */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = options.readonly ? new Database(path, { readonly: true, strict: true }) : new Database(path, { create: true, strict: true });
  db.exec("PRAGMA busy_timeout = 5000");
  if (!options.readonly) {
    db.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash can lose
    // the last transactions, never corrupt the database.
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA foreign_keys = ON");
  }
  // Read-only opens only check the version; they never write.
  migrate(db, path, options.readonly ? { checkOnly: true } : {});
  return db;
}
