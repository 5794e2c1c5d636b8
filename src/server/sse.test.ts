import { afterEach, beforeEach, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { readSse, type SseMessage } from "../client/sse-reader.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { startTestApp } from "../../test/helpers/app.ts";
import type { RunningApp } from "./app.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let app: RunningApp;

beforeEach(async () => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  app = await startTestApp(store, dir.path, { sse: { heartbeatMs: 50, pageSize: 100, maxQueuedChunks: 10_000 } });
});

afterEach(async () => {
  await app.stop();
  store.close();
  dir.cleanup();
});

async function take(res: Response, count: number): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  if (count === 0) return out;
  for await (const m of readSse(res.body!)) {
    out.push(m);
    if (out.length >= count) break;
  }
  return out;
}

test("replays a long history past the page size, in order, then streams live events", async () => {
  for (let i = 0; i < 150; i++) app.service.enqueue({ kind: "noop", input: {}, actor: "t" }); // 2 events each
  const res = await fetch(`${app.url}/events?after=0`);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const replayed = take(res, 302);
  setTimeout(() => app.service.enqueue({ kind: "noop", input: {}, actor: "t" }), 20);
  const messages = await replayed;
  expect(messages.map((m) => Number(m.id))).toEqual(Array.from({ length: 302 }, (_, i) => i + 1));
  expect(messages[0]!.event).toBe("job.created");
});

test("Last-Event-ID resumes after that event and wins over ?after=", async () => {
  for (let i = 0; i < 10; i++) app.service.enqueue({ kind: "noop", input: {}, actor: "t" });
  const res = await fetch(`${app.url}/events?after=0`, { headers: { "last-event-id": "15" } });
  const messages = await take(res, 5);
  expect(messages.map((m) => Number(m.id))).toEqual([16, 17, 18, 19, 20]);
});

test("sends heartbeats while idle", async () => {
  const res = await fetch(`${app.url}/events`);
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes(": heartbeat")) {
    const { value } = await reader.read();
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  expect(text).toMatch(/^retry: 1000\n/);
});
