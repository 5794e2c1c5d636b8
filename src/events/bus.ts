import type { PushpalsEvent } from "./registry.ts";

type Listener<T> = (value: T) => void;

/** A tiny synchronous in-process fan-out. Events reach it only after they are committed. */
export class Bus<T> {
  private readonly listeners = new Set<Listener<T>>();

  subscribe(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(value: T): void {
    for (const listener of this.listeners) {
      try {
        listener(value);
      } catch {
        // A broken subscriber must never break the writer or the other subscribers.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}

export type EventBus = Bus<PushpalsEvent>;
