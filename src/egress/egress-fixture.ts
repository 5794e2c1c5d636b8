/** For tests only: upstream servers on 127.0.0.1 and raw clients of the egress proxy's Unix socket. */
import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type AddressInfo, type Server, type Socket } from "node:net";

export interface Upstream {
  host: string;
  port: number;
  close(): Promise<void>;
}

async function listenLocal(server: Server | ReturnType<typeof createHttpServer>): Promise<Upstream> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** Answers every request with JSON naming what arrived: method, target and raw headers. */
export function startHttpUpstream(): Promise<Upstream> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.rawHeaders, body: Buffer.concat(chunks).toString() }));
    });
  });
  return listenLocal(server);
}

/** Sends back every byte it receives; ends when the client ends. */
export function startEchoServer(): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.once("close", () => sockets.delete(s));
    s.pipe(s);
  });
  const up = listenLocal(server);
  return up.then((u) => ({
    ...u,
    close: () => {
      for (const s of sockets) s.destroy();
      return u.close();
    },
  }));
}

export interface RawReply {
  raw: string;
  status: number;
  headers: string;
  body: string;
}

export function parseReply(raw: string): RawReply {
  const end = raw.indexOf("\r\n\r\n");
  const head = end < 0 ? raw : raw.slice(0, end);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { raw, status, headers: head, body: end < 0 ? "" : raw.slice(end + 4) };
}

/** Opens a connection to the proxy's socket; resolves once connected. */
export function openClient(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}

/** Everything the socket receives until the other side closes it. */
export function readAll(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", () => {});
    s.once("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

/** Sends `request` and returns the whole reply, read until the proxy closes the connection. */
export async function exchange(socketPath: string, request: string | Buffer): Promise<RawReply> {
  const s = await openClient(socketPath);
  const all = readAll(s);
  s.write(request);
  return parseReply(await all);
}

/** Reads until `done` holds for what arrived so far (or the socket closes); the reader is removed after. */
export function readUntil(s: Socket, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let text = "";
    const onData = (c: Buffer) => {
      text += c.toString("utf8");
      if (done(text)) finish();
    };
    const finish = () => {
      s.off("data", onData);
      s.off("close", finish);
      resolve(text);
    };
    s.on("data", onData);
    s.once("close", finish);
  });
}

/** Sends CONNECT and reads the proxy's answer head; the socket is then a tunnel when it said 200. */
export async function openTunnel(socketPath: string, authority: string): Promise<{ socket: Socket; reply: RawReply }> {
  const socket = await openClient(socketPath);
  socket.on("error", () => {});
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  const text = await readUntil(socket, (t) => t.includes("\r\n\r\n"));
  return { socket, reply: parseReply(text) };
}
