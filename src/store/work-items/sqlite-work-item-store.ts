import type { SqliteConnection } from "../sqlite-connection.ts";
import type { WorkItemRow } from "./work-item-rows.ts";
import type { WorkItemStore } from "./work-item-store.ts";

/** The id, dedupe key and state are columns (looked up by them); the whole item is the `data` JSON. */
export function sqliteWorkItemStore(sqlite: SqliteConnection): WorkItemStore {
  const parse = (rows: unknown[]) => (rows as { data: string }[]).map((r) => JSON.parse(r.data) as WorkItemRow);
  return {
    insertWorkItem(item: WorkItemRow): void {
      sqlite.q("INSERT INTO work_items (id, dedupe_key, state, created_at, data) VALUES (?, ?, ?, ?, ?)").run(item.id, item.dedupeKey, item.state, item.createdAt, JSON.stringify(item));
    },

    updateWorkItem(item: WorkItemRow): void {
      sqlite.q("UPDATE work_items SET dedupe_key = ?, state = ?, data = ? WHERE id = ?").run(item.dedupeKey, item.state, JSON.stringify(item), item.id);
    },

    getWorkItem(id: string): WorkItemRow | null {
      return parse(sqlite.q("SELECT data FROM work_items WHERE id = ?").all(id))[0] ?? null;
    },

    getWorkItemByKey(dedupeKey: string): WorkItemRow | null {
      return parse(sqlite.q("SELECT data FROM work_items WHERE dedupe_key = ?").all(dedupeKey))[0] ?? null;
    },

    listWorkItems(filter: { states?: readonly string[]; limit: number; newest?: boolean }): WorkItemRow[] {
      const order = filter.newest ? "created_at DESC, id DESC" : "created_at, id";
      if (!filter.states) return parse(sqlite.q(`SELECT data FROM work_items ORDER BY ${order} LIMIT ?`).all(filter.limit));
      const marks = filter.states.map(() => "?").join(", ");
      return parse(sqlite.q(`SELECT data FROM work_items WHERE state IN (${marks}) ORDER BY ${order} LIMIT ?`).all(...filter.states, filter.limit));
    },
  };
}
