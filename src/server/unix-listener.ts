import { chmodSync, chownSync, lstatSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type Socket } from "node:net";
import { PushpalsError } from "../core/errors.ts";
import { peerCredentials, type PeerCredentials } from "../identity/peer-credentials.ts";

export type UnixHandler = (req: Request, peer: PeerCredentials | null) => Promise<Response>;

export interface UnixListener {
  path: string;
  stop(): Promise<void>;
}

/** Replies streamed as they are produced; every other reply is sent whole, with its length. */
const STREAMED = /^(text\/event-stream|application\/x-ndjson)/i;

/**
 * HTTP/1.1 on a Unix domain socket, each connection tagged with the kernel's peer credentials
 * (SO_PEERCRED, read once when it connects). Bun.serve's Unix sockets do not expose a connection's
 * descriptor, node:net's do: connections are accepted there and handed to node:http for parsing, and
 * each request reaches the same fetch-style handler as the TCP listener's, with who is calling.
 */
export interface UnixListenOptions {
  /** The socket file's mode: who may connect (connect(2) needs write permission). */
  mode: number;
  /** The group the socket file is given (the people's socket); the server's user must be in it. */
  gid?: number;
  maxHeaderBytes?: number;
  /** A request's headers and body must arrive within it (a half-sent request is dropped); default 30 s. */
  requestTimeoutMs?: number;
  /** Open connections at once (each holds a descriptor); past it new ones are dropped by the kernel's backlog. Default 512. */
  maxConnections?: number;
}

export async function listenUnix(path: string, options: UnixListenOptions, handler: UnixHandler): Promise<UnixListener> {
  removeStaleSocket(path);
  const peers = new WeakMap<Socket, PeerCredentials | null>();
  const http = createHttpServer({ maxHeaderSize: options.maxHeaderBytes ?? 16 * 1024 }, (req, res) => void serve(req, res, peers.get(req.socket as Socket) ?? null, handler));
  http.headersTimeout = options.requestTimeoutMs ?? 30_000;
  http.requestTimeout = options.requestTimeoutMs ?? 30_000;
  const net = createNetServer((socket) => {
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    peers.set(socket, typeof fd === "number" && fd >= 0 ? peerCredentials(fd) : null);
    http.emit("connection", socket);
  });
  net.maxConnections = options.maxConnections ?? 512;
  await new Promise<void>((resolve, reject) => {
    net.once("error", reject);
    net.listen(path, () => {
      net.off("error", reject);
      resolve();
    });
  });
  try {
    if (options.gid !== undefined) chownSync(path, process.getuid?.() ?? 0, options.gid);
    chmodSync(path, options.mode);
  } catch (err) {
    net.close();
    rmSync(path, { force: true });
    throw new PushpalsError("config_invalid", `cannot give ${path} to group ${options.gid}: ${(err as Error).message}`, {
      field: "server.people_group",
      hint: "the OS user running PushPals must be a member of that group",
    });
  }
  const sockets = new Set<Socket>();
  net.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return {
    path,
    async stop() {
      await new Promise<void>((resolve) => {
        net.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      rmSync(path, { force: true });
    },
  };
}

/** A socket file left by a crashed server is removed; anything else in the way is an error, never deleted. */
function removeStaleSocket(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isSocket()) throw new PushpalsError("conflict", `${path} exists and is not a socket`, { hint: `move it out of the way: mv ${path} ${path}.bak` });
  rmSync(path);
}

async function serve(req: IncomingMessage, res: ServerResponse, peer: PeerCredentials | null, handler: UnixHandler): Promise<void> {
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  let response: Response;
  try {
    // Only origin-form targets ("/path?query"): an absolute or authority form names no route here.
    response = req.url?.startsWith("/")
      ? await handler(toRequest(req, abort.signal), peer)
      : Response.json({ error: { code: "invalid_input", message: "the request target must be a path", field: "path" } }, { status: 400 });
  } catch {
    response = Response.json({ error: { code: "internal", message: "internal server error; see the server log" } }, { status: 500 });
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => void (headers[key] = value));
  if (!response.body || !STREAMED.test(headers["content-type"] ?? "")) {
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { ...headers, "content-length": String(body.byteLength) });
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  abort.signal.addEventListener("abort", () => void reader.cancel().catch(() => {}), { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || abort.signal.aborted) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once("drain", resolve).once("close", resolve));
    }
  } catch {
    // The stream's source failed or the client went away: end what was sent.
  }
  res.end();
}

function toRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          req.on("data", (chunk: Buffer) => {
            controller.enqueue(new Uint8Array(chunk));
            if ((controller.desiredSize ?? 1) <= 0) req.pause();
          });
          req.once("end", () => controller.close());
          req.once("error", (err) => controller.error(err));
        },
        pull() {
          req.resume();
        },
        cancel() {
          req.destroy();
        },
      })
    : null;
  // The Host header is the client's: the guard checks it like the TCP listener's.
  return new Request(`http://localhost${req.url ?? "/"}`, { method: req.method, headers, body, signal, ...(body ? { duplex: "half" } : {}) } as RequestInit);
}
