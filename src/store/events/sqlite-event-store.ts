import type { SqliteConnection } from "../sqlite-connection.ts";
import { parse, type Row } from "../sqlite-rows.ts";
import type { EventRow, NewEventRow } from "./event-rows.ts";
import type { EventStore } from "./event-store.ts";

function toEvent(row: Row): EventRow {
  return {
    seq: row.seq as number,
    type: row.type as string,
    at: row.at as number,
    jobId: (row.job_id as string | null) ?? null,
    data: parse(row.data),
  };
}

export function sqliteEventStore(sqlite: SqliteConnection): EventStore {
  return {
    appendEvent(event: NewEventRow, at: number): EventRow {
      const row = sqlite
        .q("INSERT INTO events (type, job_id, at, data) VALUES (?, ?, ?, ?) RETURNING seq")
        .get(event.type, event.jobId, at, JSON.stringify(event.data)) as { seq: number };
      return { seq: row.seq, type: event.type, at, jobId: event.jobId, data: event.data };
    },

    eventsAfter(seq: number, limit: number): EventRow[] {
      return (sqlite.q("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?").all(seq, limit) as Row[]).map(toEvent);
    },

    lastEventSeq(): number {
      const row = sqlite.q("SELECT coalesce(max(seq), 0) AS seq FROM events").get() as { seq: number };
      return row.seq;
    },
  };
}
