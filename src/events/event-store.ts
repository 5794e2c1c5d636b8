import type { EventStore } from "../store/events/event-store.ts";
import type { NewEvent, PushpalsEvent } from "./registry.ts";

export type PushpalsEventStore = EventStore<PushpalsEvent, NewEvent>;

/**
 * The store keeps an event's type as a name; every event is appended through `newEvent`, which parses
 * it against the registry, so what the store reads back are `PushpalsEvent`s. The one place that says so.
 */
export function pushpalsEvents(store: EventStore): PushpalsEventStore {
  return store as PushpalsEventStore;
}
