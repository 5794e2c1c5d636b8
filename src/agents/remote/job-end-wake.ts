import { routes } from "../../api/routes.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { readSse } from "../../client/sse-reader.ts";
import type { JobState } from "../../core/job-states.ts";

const ENDS: readonly JobState[] = ["succeeded", "failed", "cancelled"];
const RECONNECT_MS = 1_000;

/**
 * Event-driven turns: every job that ends (a red base's checks, a task) may file, close or free an
 * item, so the loop turns at once instead of at its next tick. Follows the server's event stream,
 * resuming after the last event seen when the connection drops; stops with `signal`.
 */
export async function wakeOnJobEnds(client: ApiClient, wake: () => void, signal: AbortSignal): Promise<void> {
  let after = (await client.call(routes.health)).lastEventSeq;
  let body: ReadableStream<Uint8Array> | null = null;
  signal.addEventListener("abort", () => void body?.cancel().catch(() => {}), { once: true });
  while (!signal.aborted) {
    try {
      const res = await client.stream(routes.events, { query: { after } });
      body = res.body;
      for await (const message of readSse(res.body!)) {
        const event = JSON.parse(message.data) as { seq: number; type: string; data: { to?: JobState } };
        after = event.seq;
        if (event.type === "job.transition" && event.data.to && ENDS.includes(event.data.to)) wake();
      }
    } catch {
      // The server restarting, or the stream cut: the tick still turns the loop meanwhile.
    }
    if (!signal.aborted) await Bun.sleep(RECONNECT_MS);
  }
}
