import type { SqliteConnection } from "../sqlite-connection.ts";
import type { Row } from "../sqlite-rows.ts";
import type { WorkerRecord } from "./job-rows.ts";
import type { WorkerStore } from "./job-store.ts";
import { toWorker } from "./sqlite-job-rows.ts";

export function sqliteWorkerStore(sqlite: SqliteConnection): WorkerStore {
  return {
    upsertWorker(worker: WorkerRecord): void {
      sqlite
        .q(
          `INSERT INTO workers (id, name, kinds, pid, registered_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kinds = excluded.kinds, pid = excluded.pid, last_seen_at = excluded.last_seen_at`,
        )
        .run(worker.id, worker.name, JSON.stringify(worker.kinds), worker.pid, worker.registeredAt, worker.lastSeenAt);
    },

    getWorker(id: string): WorkerRecord | null {
      const row = sqlite.q("SELECT * FROM workers WHERE id = ?").get(id) as Row | null;
      return row ? toWorker(row) : null;
    },

    touchWorker(id: string, at: number): void {
      // Last-seen is for display: at most one write per worker per second.
      sqlite.q("UPDATE workers SET last_seen_at = ?1 WHERE id = ?2 AND last_seen_at < ?1 - 1000").run(at, id);
    },

    listWorkers(): WorkerRecord[] {
      return (sqlite.q("SELECT * FROM workers ORDER BY registered_at").all() as Row[]).map(toWorker);
    },
  };
}
