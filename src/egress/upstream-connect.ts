import { connect, type Socket } from "node:net";

export class UpstreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "UpstreamError";
    this.code = code;
  }
}

/**
 * Connects to the first of `addresses` (IP literals, already checked) that answers, all attempts
 * together within `timeoutMs`. `onSocket` sees every socket created, so the caller can destroy it
 * when the client goes away or the proxy closes.
 */
export async function connectUpstream(addresses: string[], port: number, timeoutMs: number, onSocket: (s: Socket) => void): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  let last: UpstreamError = new UpstreamError("ENOADDR", "no address to connect to");
  for (const address of addresses) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      return await attempt(address, port, left, onSocket);
    } catch (err) {
      last = err instanceof UpstreamError ? err : new UpstreamError("ECONNECT", String(err));
      if (last.code === "ETIMEDOUT") break;
    }
  }
  throw Date.now() >= deadline ? new UpstreamError("ETIMEDOUT", `no answer within ${timeoutMs} ms`) : last;
}

function attempt(host: string, port: number, timeoutMs: number, onSocket: (s: Socket) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    onSocket(socket);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new UpstreamError("ETIMEDOUT", `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    // Stays attached once connected: a late error still destroys the socket instead of crashing.
    const onError = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      const code = (err as { code?: unknown }).code;
      reject(new UpstreamError(typeof code === "string" ? code : "ECONNECT", err.message));
    };
    socket.once("error", onError);
    // A socket destroyed from outside (client gone, proxy closing) settles too.
    socket.once("close", () => {
      clearTimeout(timer);
      reject(new UpstreamError("ECLOSED", "the connection was closed"));
    });
  });
}
