import type { EventBus } from "../events/bus.ts";
import { pushpalsEvents } from "../events/event-store.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import type { Store } from "../store/store.ts";

export interface SseOptions {
  heartbeatMs: number;
  pageSize: number;
  /** A client this many chunks behind is disconnected; it resumes with Last-Event-ID and loses nothing. */
  maxQueuedChunks: number;
}

const encoder = new TextEncoder();

export function sseHeaders(): Record<string, string> {
  return { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" };
}

export function formatEvent(event: PushpalsEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Replays history after `afterSeq` page by page (pulled as the client reads, so history of any
 * size streams without a cap), then switches to live events from the bus. The switch happens in the
 * same tick as the last empty page read, and events are published in the tick they commit, so no
 * event falls between replay and live, and none is sent twice.
 */
export function eventStream(store: Store, bus: EventBus, afterSeq: number, options: SseOptions, signal: AbortSignal): ReadableStream<Uint8Array> {
  let cursor = afterSeq;
  let live = false;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const send = (text: string) => controller.enqueue(encoder.encode(text));
        send(`retry: 1000\n: connected after ${afterSeq}\n\n`);
        const unsubscribe = bus.subscribe((event) => {
          if (!live || event.seq <= cursor) return;
          if ((controller.desiredSize ?? 0) < -options.maxQueuedChunks) return close();
          cursor = event.seq;
          send(formatEvent(event));
        });
        const heartbeat = setInterval(() => send(`: heartbeat ${Date.now()}\n\n`), options.heartbeatMs);
        const close = () => {
          cleanup();
          try {
            controller.close();
          } catch {}
        };
        cleanup = () => {
          unsubscribe();
          clearInterval(heartbeat);
          signal.removeEventListener("abort", close);
        };
        signal.addEventListener("abort", close);
      },
      pull(controller) {
        if (live) return;
        const page = pushpalsEvents(store).eventsAfter(cursor, options.pageSize);
        if (page.length > 0) {
          controller.enqueue(encoder.encode(page.map(formatEvent).join("")));
          cursor = page[page.length - 1]!.seq;
        }
        if (page.length < options.pageSize) live = true;
      },
      cancel() {
        cleanup();
      },
    },
    { highWaterMark: 8 },
  );
}

/** Parses the resume point: `Last-Event-ID` wins over `?after=`; both must be whole numbers. */
export function resumePoint(header: string | null, after: number | undefined): number | null {
  if (header !== null && header !== "") {
    if (!/^\d{1,15}$/.test(header)) return null;
    return Number(header);
  }
  return after ?? 0;
}
