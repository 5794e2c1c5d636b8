import { Database } from "bun:sqlite";
import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { LATEST_SCHEMA_VERSION, migrate } from "./migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

test("a new database is migrated to the latest version in WAL mode", () => {
  const store = new SqliteStore(join(dir.path, "db.sqlite"));
  expect(store.db.query("PRAGMA user_version").get()).toEqual({ user_version: LATEST_SCHEMA_VERSION });
  expect(store.db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
  expect(store.db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 });
  store.close();
  // Re-opening applies nothing twice.
  const again = new SqliteStore(join(dir.path, "db.sqlite"));
  expect(again.db.query("PRAGMA user_version").get()).toEqual({ user_version: LATEST_SCHEMA_VERSION });
  again.close();
});

test("a database written by a newer PushPals is refused with a clear error, and left untouched", () => {
  const path = join(dir.path, "db.sqlite");
  const db = new Database(path, { create: true });
  db.exec(`PRAGMA user_version = ${LATEST_SCHEMA_VERSION + 1}`);
  db.close();
  expect(() => new SqliteStore(path)).toThrow(/schema version \d+, but this PushPals only knows up to \d+/);
  const check = new Database(path);
  expect(check.query("PRAGMA user_version").get()).toEqual({ user_version: LATEST_SCHEMA_VERSION + 1 });
  check.close();
});

test("pending migrations run in order, each atomically; a failing one leaves the earlier ones applied", () => {
  const db = new Database(join(dir.path, "db.sqlite"), { create: true });
  const migrations = [
    { version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER)" },
    { version: 2, name: "b", sql: "CREATE TABLE b (x INTEGER); CREATE TABLE a (y INTEGER)" },
  ];
  expect(() => migrate(db, "test.db", { migrations })).toThrow(/already exists/);
  expect(db.query("PRAGMA user_version").get()).toEqual({ user_version: 1 });
  expect(db.query("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeNull();
  db.close();
});
