import type { Socket } from "node:net";

/** How long a socket we are done with may take to flush and be closed by its peer before it is destroyed. */
export const LINGER_MS = 5_000;

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  431: "Request Header Fields Too Large",
  502: "Bad Gateway",
};

/** Ends our side, then destroys the socket once the peer closes too, or after `LINGER_MS`. */
export function endGracefully(socket: Socket, data?: string): void {
  if (socket.destroyed) return;
  // Nothing the peer still sends has anywhere to go: drop it, so its end (and our close) can come.
  socket.on("data", () => {});
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once("close", () => clearTimeout(timer));
  const peerDone = () => {
    if (socket.writableFinished) socket.destroy();
    else socket.once("finish", () => socket.destroy());
  };
  if (data === undefined) socket.end();
  else socket.end(data, "latin1");
  if (socket.readableEnded) peerDone();
  else socket.once("end", peerDone);
}

/**
 * Answers a proxy request the proxy itself refuses or cannot serve: a one-line plain-text reason,
 * and the connection closed. Whatever the client still sends is read and dropped.
 */
export function replyAndClose(socket: Socket, status: number, reason: string): void {
  const body = `pushpals egress: ${reason}\n`;
  socket.removeAllListeners("data");
  const head = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}`, "Content-Type: text/plain; charset=utf-8", `Content-Length: ${Buffer.byteLength(body)}`, "Connection: close"];
  endGracefully(socket, `${head.join("\r\n")}\r\n\r\n${Buffer.from(body, "utf8").toString("latin1")}`);
}

/** Relays bytes both ways; when one side finishes the other is ended, when one fails both go. */
export function splice(a: Socket, b: Socket): void {
  const fail = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", fail);
  b.on("error", fail);
  a.pipe(b);
  b.pipe(a);
  // After the pipes: by the time these run, the closed side is unpiped and the other can be drained.
  a.once("close", () => endGracefully(b));
  b.once("close", () => endGracefully(a));
}
