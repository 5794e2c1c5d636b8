import type { EventRow, NewEventRow } from "./event-rows.ts";

/**
 * The append-only event log. Generic in the event type so the events domain can name its own
 * (`PushpalsEvent`) without the store knowing it; by default, the store's opaque row.
 */
export interface EventStore<E extends EventRow = EventRow, N extends NewEventRow = NewEventRow> {
  /** Appends the event (it gets the next sequence number) and returns it as stored. */
  appendEvent(event: N, at: number): E;
  eventsAfter(seq: number, limit: number): E[];
  lastEventSeq(): number;
}
