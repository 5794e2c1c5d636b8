import type { SqliteConnection } from "../sqlite-connection.ts";
import type { Row } from "../sqlite-rows.ts";
import type { Component } from "./component-rows.ts";
import type { ComponentStore } from "./component-store.ts";

function toComponent(row: Row): Component {
  return {
    name: row.name as string,
    role: row.role as Component["role"],
    pid: (row.pid as number | null) ?? null,
    state: row.state as Component["state"],
    workerId: (row.worker_id as string | null) ?? null,
    startedAt: row.started_at as number,
    readyAt: (row.ready_at as number | null) ?? null,
    lastHeartbeatAt: (row.last_heartbeat_at as number | null) ?? null,
    restarts: row.restarts as number,
    lastExit: (row.last_exit as string | null) ?? null,
  };
}

export function sqliteComponentStore(sqlite: SqliteConnection): ComponentStore {
  return {
    upsertComponent(c: Component): void {
      sqlite
        .q(
          `INSERT INTO components (name, role, pid, state, worker_id, started_at, ready_at, last_heartbeat_at, restarts, last_exit)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET role = excluded.role, pid = excluded.pid, state = excluded.state, worker_id = excluded.worker_id,
         started_at = excluded.started_at, ready_at = excluded.ready_at, last_heartbeat_at = excluded.last_heartbeat_at,
         restarts = excluded.restarts, last_exit = excluded.last_exit`,
        )
        .run(c.name, c.role, c.pid, c.state, c.workerId, c.startedAt, c.readyAt, c.lastHeartbeatAt, c.restarts, c.lastExit);
    },

    getComponent(name: string): Component | null {
      const row = sqlite.q("SELECT * FROM components WHERE name = ?").get(name) as Row | null;
      return row ? toComponent(row) : null;
    },

    listComponents(): Component[] {
      return (sqlite.q("SELECT * FROM components ORDER BY started_at, name").all() as Row[]).map(toComponent);
    },

    deleteComponents(): void {
      sqlite.q("DELETE FROM components").run();
    },
  };
}
