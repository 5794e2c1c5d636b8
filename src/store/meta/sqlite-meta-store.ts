import type { SqliteConnection } from "../sqlite-connection.ts";
import type { MetaStore } from "./meta-store.ts";

export function sqliteMetaStore(sqlite: SqliteConnection): MetaStore {
  return {
    getMeta(key: string): string | null {
      const row = sqlite.q("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | null;
      return row?.value ?? null;
    },

    setMeta(key: string, value: string): void {
      sqlite.write(() => sqlite.q("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(key, value));
    },
  };
}
