import type { Socket } from "node:net";
import type { CheckOutcome } from "./egress-check.ts";
import { formatTarget, type EgressTarget } from "./host-rules.ts";
import { headEnd, MAX_HEAD_BYTES, originHead, parseRequestHead, type RequestHead } from "./request-head.ts";
import { replyAndClose, splice } from "./socket-ends.ts";
import { connectUpstream, UpstreamError } from "./upstream-connect.ts";
import { openProxyTunnel } from "./upstream-proxy.ts";

export interface ClientContext {
  /** Checks the target and records the decision; `kind` picks the upstream proxy, if any. */
  check(target: EgressTarget, kind: "connect" | "http"): Promise<CheckOutcome>;
  connectTimeoutMs: number;
  /** The request head must arrive within it. */
  headTimeoutMs: number;
  /** Every upstream socket, so closing the proxy can destroy it. */
  track(socket: Socket): void;
}

/** Serves one client connection: one proxied request (CONNECT or absolute-form http://), then a plain relay. */
export function serveClient(client: Socket, ctx: ClientContext): void {
  client.on("error", () => client.destroy());
  let buffered: Buffer = Buffer.alloc(0);
  const headTimer = setTimeout(() => client.destroy(), ctx.headTimeoutMs);
  const stopReading = () => {
    clearTimeout(headTimer);
    client.removeListener("data", onData);
    client.removeListener("end", onEarlyEnd);
    client.pause();
  };
  const onEarlyEnd = () => {
    stopReading();
    client.destroy();
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const end = headEnd(buffered.subarray(0, MAX_HEAD_BYTES));
    if (end < 0) {
      if (buffered.length < MAX_HEAD_BYTES) return;
      stopReading();
      replyAndClose(client, 431, `the request head is larger than ${MAX_HEAD_BYTES} bytes`);
      return;
    }
    stopReading();
    const head = parseRequestHead(buffered.subarray(0, end - 4).toString("latin1"));
    void proceed(client, head, buffered.subarray(end), ctx).catch(() => client.destroy());
  };
  client.once("close", () => clearTimeout(headTimer));
  client.on("data", onData);
  client.once("end", onEarlyEnd);
}

async function proceed(client: Socket, head: RequestHead, rest: Buffer, ctx: ClientContext): Promise<void> {
  if (head.kind === "bad") return replyAndClose(client, 400, head.reason);
  const outcome = await ctx.check(head.target, head.kind);
  if (client.destroyed) return;
  if (!outcome.allowed) return replyAndClose(client, outcome.status, outcome.reason);

  let upstream: Socket;
  let early: Buffer = Buffer.alloc(0);
  let attempt: Socket | undefined;
  const abandon = () => attempt?.destroy();
  client.once("close", abandon);
  const { via } = outcome;
  try {
    upstream = await connectUpstream(outcome.addresses, via ? via.port : head.target.port, ctx.connectTimeoutMs, (s) => {
      ctx.track(s);
      attempt = s;
    });
    if (via) early = await openProxyTunnel(upstream, via, head.target, ctx.connectTimeoutMs);
  } catch (err) {
    if (client.destroyed) return;
    const through = via ? ` through the upstream proxy ${formatTarget(via)}` : "";
    return replyAndClose(client, 502, `could not connect to ${formatTarget(head.target)}${through}: ${failureReason(err, ctx.connectTimeoutMs)}`);
  }
  client.removeListener("close", abandon);
  if (client.destroyed) {
    upstream.destroy();
    return;
  }
  if (head.kind === "connect") client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
  else upstream.write(originHead(head), "latin1");
  if (early.length > 0) client.write(early);
  if (rest.length > 0) upstream.write(rest);
  splice(client, upstream);
  client.resume();
}

function failureReason(err: unknown, timeoutMs: number): string {
  if (!(err instanceof UpstreamError)) return String(err);
  if (err.code === "EPROXY") return err.message;
  return err.code === "ETIMEDOUT" ? `no answer within ${timeoutMs} ms` : err.code;
}
