/**
 * For tests only: a small HTTP proxy on 127.0.0.1 standing in for a corporate one (CONNECT tunnels, and
 * plain http requests in absolute form). It is the only thing that knows the names in `hosts`: each maps
 * to a local address, so a client that reaches such a name did so through this proxy. Any other name is
 * answered 502, as a proxy that cannot resolve it would.
 */
import { createServer, request, type IncomingMessage } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface CorporateProxy {
  url: string;
  port: number;
  /** One line per request: `CONNECT host:port` or `GET http://host:port/path`. */
  seen: string[];
  stop(): Promise<void>;
}

/** `hosts`: lower-case name -> the address it stands for, e.g. { "registry.example.test": "127.0.0.1" }. */
export async function startCorporateProxy(hosts: Record<string, string>): Promise<CorporateProxy> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const keep = (s: Socket) => {
    sockets.add(s);
    s.on("error", () => s.destroy());
    s.once("close", () => sockets.delete(s));
  };
  const mapped = (host: string) => hosts[host.toLowerCase()];

  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = parseAbsolute(req);
    const address = url && mapped(url.hostname);
    if (!url || !address) return void res.writeHead(502).end(`no such host: ${url?.hostname ?? req.url}\n`);
    const { "proxy-connection": _hop, ...rest } = req.headers;
    const headers = { ...rest, connection: "close" };
    const out = request({ host: address, port: Number(url.port) || 80, method: req.method, path: url.pathname + url.search, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  server.on("connection", keep);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    keep(client);
    const [, host = "", port = ""] = /^([^:]+):(\d+)$/.exec(req.url ?? "") ?? [];
    const address = mapped(host);
    if (!address) return void client.end(`HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n`);
    const origin = connect(Number(port), address, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) origin.write(head);
      client.pipe(origin).pipe(client);
    });
    keep(origin);
    origin.once("close", () => client.destroy());
    client.once("close", () => origin.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function parseAbsolute(req: IncomingMessage): URL | null {
  try {
    const url = new URL(req.url ?? "");
    return url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}
