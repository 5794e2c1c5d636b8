/**
 * A hostile local process, run as its own child (so the test runner's descriptors are not the limit):
 * opens many SSE streams and many slow, half-sent requests against a PushPals server over raw TCP.
 *
 *   bun test/helpers/flood-client.ts '{"port":1234,"streams":300,"partialHeaders":50,"partialBodies":50,"trickles":50}'
 *
 * Prints one JSON line when every stream has its answer ({"streams": ...}), one when every slow
 * connection has been closed by the server or 20 s have passed ({"slow": ...}), keeps its streams
 * open until its stdin ends, then exits.
 */
import { connect, type Socket } from "node:net";

interface Spec {
  port: number;
  streams: number;
  partialHeaders?: number;
  partialBodies?: number;
  trickles?: number;
}

export interface StreamReport {
  /** How many streams got each HTTP status. */
  statuses: Record<string, number>;
  /** The JSON body of the first refusal, and its headers. */
  refusal: { headers: Record<string, string>; body: unknown } | null;
}

export interface SlowGroupReport {
  opened: number;
  /** Connections the server closed, and the longest time it took (ms after the connection opened). */
  closed: number;
  maxClosedAfterMs: number;
  /** The HTTP status of every answer received (none for a connection dropped without one). */
  statuses: number[];
  /** Error codes of the JSON answers. */
  codes: string[];
}

const spec = JSON.parse(process.argv[2] ?? "{}") as Spec;
const host = `127.0.0.1:${spec.port}`;
const sockets: Socket[] = [];

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port: spec.port }, () => resolve(socket));
    socket.once("error", reject);
    sockets.push(socket);
  });
}

/** Opens `count` connections, 25 at a time (a burst of thousands would only test the kernel's backlog). */
async function openMany(count: number, start: (socket: Socket) => void): Promise<void> {
  for (let i = 0; i < count; i += 25) {
    await Promise.all(Array.from({ length: Math.min(25, count - i) }, async () => start(await open())));
  }
}

function parseHead(text: string): { status: number; headers: Record<string, string>; body: string } | null {
  const split = text.indexOf("\r\n\r\n");
  if (split < 0) return null;
  const [statusLine, ...lines] = text.slice(0, split).split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(":")).trim().toLowerCase()] = line.slice(line.indexOf(":") + 1).trim();
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine!)?.[1]), headers, body: text.slice(split + 4) };
}

async function floodStreams(): Promise<StreamReport> {
  const report: StreamReport = { statuses: {}, refusal: null };
  const answered: Promise<void>[] = [];
  await openMany(spec.streams, (socket) => {
    answered.push(
      new Promise<void>((resolve) => {
        let text = "";
        let counted = false;
        const count = (status: string) => {
          if (counted) return;
          counted = true;
          report.statuses[status] = (report.statuses[status] ?? 0) + 1;
          resolve();
        };
        socket.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
          const head = parseHead(text);
          if (!head) return;
          if (head.status === 200) return count("200");
          const length = Number(head.headers["content-length"] ?? -1);
          if (Buffer.byteLength(head.body) < length) return;
          report.refusal ??= { headers: head.headers, body: JSON.parse(head.body) };
          count(String(head.status));
        });
        socket.on("close", () => count(parseHead(text) ? String(parseHead(text)!.status) : "closed"));
      }),
    );
    socket.write(`GET /events HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  });
  await Promise.all(answered);
  return report;
}

function slowGroup(count: number, start: (socket: Socket) => void): { report: SlowGroupReport; done: Promise<void> } {
  const report: SlowGroupReport = { opened: 0, closed: 0, maxClosedAfterMs: 0, statuses: [], codes: [] };
  const closes: Promise<void>[] = [];
  const opening = openMany(count, (socket) => {
    report.opened++;
    const openedAt = Date.now();
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    closes.push(
      new Promise<void>((resolve) =>
        socket.on("close", () => {
          report.closed++;
          report.maxClosedAfterMs = Math.max(report.maxClosedAfterMs, Date.now() - openedAt);
          const head = parseHead(text);
          if (head) {
            report.statuses.push(head.status);
            try {
              report.codes.push((JSON.parse(head.body) as { error: { code: string } }).error.code);
            } catch {}
          }
          resolve();
        }),
      ),
    );
    start(socket);
  });
  return { report, done: opening.then(() => Promise.all(closes)).then(() => {}) };
}

const streams = await floodStreams();
console.log(JSON.stringify({ streams }));

const groups = {
  // Headers that never end.
  partialHeaders: slowGroup(spec.partialHeaders ?? 0, (s) => s.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\n`)),
  // Headers that never end, one byte every 250 ms (slowloris).
  trickles: slowGroup(spec.trickles ?? 0, (s) => {
    s.write(`GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `);
    const timer = setInterval(() => s.write("a"), 250);
    s.on("close", () => clearInterval(timer));
  }),
  // Complete headers, then 10 of the 1000 body bytes announced.
  partialBodies: slowGroup(spec.partialBodies ?? 0, (s) =>
    s.write(`POST /jobs HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"kind":"n`),
  ),
};
await Promise.race([Promise.all(Object.values(groups).map((g) => g.done)), Bun.sleep(20_000)]);
console.log(JSON.stringify({ slow: Object.fromEntries(Object.entries(groups).map(([name, g]) => [name, g.report])) }));

for await (const _ of Bun.stdin.stream()) {
  // Holds the streams until the test closes our stdin.
}
for (const socket of sockets) socket.destroy();
process.exit(0);
