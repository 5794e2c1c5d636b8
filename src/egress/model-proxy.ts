import { chmodSync, lstatSync, realpathSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { PushpalsError } from "../core/errors.ts";
import type { ModelProviderDefinition, ModelProxyRoute } from "../models/providers/model-provider.ts";
import type { SandboxEgress } from "../sandbox/sandbox-spec.ts";
import { REDACTED } from "../secrets/redact.ts";
import { AnswerUsageReader, type AnswerUsage } from "./answer-usage.ts";
import { KeyScrubber } from "./key-scrubber.ts";
import { decideRoute, shown } from "./model-route.ts";

/**
 * The model proxy (#19): how an agent CLI running in a sandbox with no network reaches the configured model,
 * and nothing else. Host side, an HTTP server on a Unix socket (0600, in the caller's private directory),
 * reached from inside the sandbox through the egress forwarder on the sandbox's own loopback. It forwards
 * only the provider's API routes (`proxyRoutes`) to `base_url`, drops every credential or cookie header the
 * client sent and adds the provider's own with the key it alone holds, follows no redirect, streams the
 * answer back with the key's value removed from it, and counts the tokens each answer says it used. Every
 * other request (another path, method or host, CONNECT, an upgrade, a body over the limit) is a 403 with one
 * line saying why. The key is in no answer, error or log line it produces.
 */

export interface ModelProxyOptions {
  /** Where to listen: a path in a private (0700) directory; the socket itself is made 0600. */
  socketPath: string;
  /** The provider whose API is forwarded: its routes and the headers that carry the key. */
  provider: Pick<ModelProviderDefinition, "id" | "proxyRoutes" | "authHeaders">;
  /** Where requests go: `models.base_url`, or the provider's default. */
  baseUrl: string;
  /** Read host-side (readModelKey); null for a server that needs none. */
  key: string | null;
  /** The authorities the sandbox names the proxy by (`127.0.0.1:3128`): an absolute-form request may name these, no other. */
  self: readonly string[];
  /** The most bytes one request body may have; default 8 MiB. */
  maxBodyBytes?: number;
  /** One upstream request, its whole answer included; default 120 s. */
  requestTimeoutMs?: number;
  /** Asked before each allowed request goes out: null lets it through, a reason refuses it (a budget reached, a pause). */
  admit?: (request: { method: string; path: string }) => string | null | Promise<string | null>;
  /** Each forwarded request, once its answer has ended (or was cut). */
  onUsage?: (exchange: ProxiedExchange) => void;
  /** One line per refusal and per upstream failure; never holds the key. */
  log?: (line: string) => void;
  /** For tests: the fetch that reaches the upstream. */
  fetch?: typeof fetch;
}

/** One forwarded request as the proxy saw it. */
export interface ProxiedExchange {
  /** 1-based, in the order requests were let through. */
  index: number;
  method: string;
  /** As the sandbox asked for it, without the query: `/v1/chat/completions`. */
  path: string;
  /** The upstream's status (0: no answer). */
  status: number;
  usage: AnswerUsage;
  /** The answer said nothing of its usage: counted from the sizes instead (4 bytes a token). */
  estimated: boolean;
  durationMs: number;
  /** The body's `model`, when it is a plain model id. */
  model: string | null;
  /** The request body and the answer (the key removed), each cut to `CAPTURE_BYTES`. */
  request: string;
  response: string;
}

export interface ModelProxyCounters {
  /** Requests forwarded to the model endpoint. */
  requests: number;
  inputTokens: number;
  outputTokens: number;
  /** Requests refused (403, 413, a redirect answered 502). */
  refused: number;
}

export interface ModelProxyRefusal {
  method: string;
  target: string;
  status: number;
  reason: string;
  at: number;
}

export interface ModelProxy {
  socketPath: string;
  counters(): ModelProxyCounters;
  refusals(): ModelProxyRefusal[];
  /** Refuses every request from now on, with `reason`, and cuts the ones in flight. */
  stop(reason: string): void;
  /** Stops listening and cuts every connection; resolves once every forwarded request has been counted (`onUsage`). */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** How much of each request and answer an exchange keeps (the server stores less). */
export const CAPTURE_BYTES = 256 * 1024;
const MAX_REFUSALS = 1000;
const MAX_CONNECTIONS = 64;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,159}$/;

/** Request headers never passed on: credentials and cookies (the proxy adds its own), hop-by-hop and framing ones, proxy metadata. */
const DROPPED_REQUEST = new Set([
  "authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie", "cookie2",
  "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "expect",
  "content-length", "accept-encoding", "forwarded", "via", "x-real-ip",
]);
/** Answer headers never passed back: cookies, hop-by-hop ones, and the framing fetch has already undone. */
const DROPPED_RESPONSE = new Set(["set-cookie", "set-cookie2", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "trailer", "upgrade", "content-length", "content-encoding", "alt-svc"]);

/** `src/egress/sandbox-forwarder.ts`, which the sandbox runs to reach this proxy. */
const FORWARDER = fileURLToPath(new URL("./sandbox-forwarder.ts", import.meta.url));

/** The `egress` of a sandbox spec that reaches `proxy` through the forwarder on the sandbox's loopback `port`. */
export function modelProxyEgress(proxy: Pick<ModelProxy, "socketPath">, port: number): SandboxEgress {
  return { socketPath: proxy.socketPath, runtime: realpathSync(process.execPath), forwarder: realpathSync(FORWARDER), port };
}

export async function startModelProxy(options: ModelProxyOptions): Promise<ModelProxy> {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const timeoutMs = options.requestTimeoutMs ?? 120_000;
  const upstreamFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, "");
  const scrubber = new KeyScrubber(options.key, REDACTED);
  const scrub = (text: string) => scrubber.scrubText(text);
  const log = (line: string) => options.log?.(scrub(line));
  const counters: ModelProxyCounters = { requests: 0, inputTokens: 0, outputTokens: 0, refused: 0 };
  const refusals: ModelProxyRefusal[] = [];
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Duplex>();
  /** Requests being served: close() waits for them, so each forwarded one has been counted when it returns. */
  const active = new Set<Promise<void>>();
  let stopped: string | null = null;
  let index = 0;

  const refuse = (method: string, target: string, status: number, reason: string) => {
    counters.refused++;
    refusals.push({ method: shown(method), target: shown(target), status, reason: scrub(reason), at: Date.now() });
    if (refusals.length > MAX_REFUSALS) refusals.splice(0, refusals.length - MAX_REFUSALS);
    log(`model proxy: refused ${shown(method)} ${shown(target)} (${status}): ${reason}`);
  };
  const refuseRequest = (req: IncomingMessage, res: ServerResponse, status: number, reason: string) => {
    refuse(req.method ?? "?", req.url ?? "?", status, reason);
    answerPlain(res, status, `pushpals model proxy: ${scrub(reason)}\n`);
    // What is left of the body is not read: the connection goes.
    req.resume();
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "";
    const target = req.url ?? "";
    if (stopped !== null) return refuseRequest(req, res, 403, stopped);
    const decision = decideRoute(method, target, options.provider.proxyRoutes, options.self);
    if (!decision.allowed) return refuseRequest(req, res, 403, decision.reason);
    const declared = Number(req.headers["content-length"] ?? 0);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return refuseRequest(req, res, 413, `the request body is over ${maxBodyBytes} bytes`);
    const body = method === "GET" ? Buffer.alloc(0) : await readBody(req, maxBodyBytes);
    if (body === null) return refuseRequest(req, res, 413, `the request body is over ${maxBodyBytes} bytes`);
    const path = `/v1/${decision.path}`;
    const admitted = options.admit ? await options.admit({ method, path }) : null;
    if (admitted !== null) return refuseRequest(req, res, 403, admitted);
    if (stopped !== null) return refuseRequest(req, res, 403, stopped);
    if (res.destroyed) return;
    await forward(req, res, { method, path, route: decision.route, upstream: `${base}/${decision.path}${decision.query}`, body });
  }

  async function forward(req: IncomingMessage, res: ServerResponse, r: { method: string; path: string; route: ModelProxyRoute; upstream: string; body: Buffer }): Promise<void> {
    const started = performance.now();
    const number = ++index;
    counters.requests++;
    const { body, model } = prepareBody(r.body, r.route);
    const controller = new AbortController();
    inFlight.add(controller);
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([controller.signal, timeout]);
    const gone = () => controller.abort();
    res.once("close", gone);
    const captured = new Capture();
    let reader = new AnswerUsageReader(null);
    let status = 0;
    let answerBytes = 0;
    try {
      let answer: Response;
      try {
        answer = await upstreamFetch(r.upstream, {
          method: r.method,
          headers: { ...passedHeaders(req), ...options.provider.authHeaders(options.key), ...(r.method === "POST" ? { "content-type": contentType(req) } : {}) },
          ...(r.method === "POST" ? { body } : {}),
          redirect: "manual",
          signal,
        });
      } catch (err) {
        if (controller.signal.aborted && !timeout.aborted) {
          // Stopped (a budget reached) or the client went away.
          if (stopped !== null) answerPlain(res, 403, `pushpals model proxy: ${scrub(stopped)}\n`);
          return;
        }
        const why = timeout.aborted ? `no answer within ${Math.round(timeoutMs / 1000)} s` : errorText(err);
        log(`model proxy: ${r.method} ${r.path}: the model endpoint ${hostOf(base)} failed: ${why}`);
        answerPlain(res, timeout.aborted ? 504 : 502, `pushpals model proxy: the model endpoint ${hostOf(base)} failed: ${scrub(why)}\n`);
        return;
      }
      status = answer.status;
      if (status >= 300 && status < 400) {
        await answer.body?.cancel().catch(() => {});
        const to = answer.headers.get("location");
        refuse(r.method, r.path, 502, `the model endpoint answered ${status} (a redirect${to ? ` to ${hostOf(to)}` : ""}), which is not followed`);
        answerPlain(res, 502, `pushpals model proxy: the model endpoint answered ${status}, a redirect, which is not followed\n`);
        return;
      }
      reader = new AnswerUsageReader(answer.headers.get("content-type"));
      const scrubbing = new KeyScrubber(options.key, REDACTED);
      res.writeHead(status, answerHeaders(answer.headers, scrub));
      if (answer.body) {
        const stream = answer.body.getReader();
        // Cut (stopped, closed, the client gone): the read in progress ends, whatever the upstream does.
        const cut = () => void stream.cancel().catch(() => {});
        signal.addEventListener("abort", cut, { once: true });
        try {
          for (;;) {
            const { done, value } = await stream.read();
            if (done || signal.aborted) break;
            answerBytes += value.length;
            reader.push(value);
            const clean = scrubbing.push(value);
            captured.push(clean);
            if (clean.length > 0 && !(await write(res, clean))) break;
          }
        } finally {
          signal.removeEventListener("abort", cut);
        }
      }
      if (signal.aborted) {
        if (timeout.aborted) log(`model proxy: ${r.method} ${r.path}: the answer was cut: past ${Math.round(timeoutMs / 1000)} s`);
        res.destroy();
        return;
      }
      const rest = scrubbing.flush();
      captured.push(rest);
      if (!res.destroyed) res.end(rest);
    } catch (err) {
      // The answer broke off (the upstream, a timeout, the client gone): what arrived is what is counted.
      if (!controller.signal.aborted || timeout.aborted) log(`model proxy: ${r.method} ${r.path}: the answer broke off: ${timeout.aborted ? `past ${Math.round(timeoutMs / 1000)} s` : errorText(err)}`);
      if (!res.headersSent) answerPlain(res, 502, "pushpals model proxy: the answer broke off\n");
      else res.destroy();
    } finally {
      inFlight.delete(controller);
      res.off("close", gone);
      if (status !== 0 && (status < 300 || status >= 400)) {
        const said = reader.usage();
        const ok = status >= 200 && status < 300;
        const counted = said ?? (ok ? { inputTokens: Math.ceil(body.length / 4), outputTokens: Math.ceil(answerBytes / 4) } : { inputTokens: 0, outputTokens: 0 });
        counters.inputTokens += counted.inputTokens;
        counters.outputTokens += counted.outputTokens;
        const exchange: ProxiedExchange = {
          index: number,
          method: r.method,
          path: r.path,
          status,
          usage: counted,
          estimated: said === null && ok,
          durationMs: Math.round(performance.now() - started),
          model,
          request: scrub(body.subarray(0, CAPTURE_BYTES).toString("utf8")),
          response: captured.text(),
        };
        try {
          options.onUsage?.(exchange);
        } catch (err) {
          log(`model proxy: counting ${r.method} ${r.path} failed: ${errorText(err)}`);
        }
      }
    }
  }

  const server = createServer((req, res) => {
    const served: Promise<void> = serve(req, res)
      .catch((err: unknown) => {
        log(`model proxy: ${shown(req.method ?? "?")} ${shown(req.url ?? "?")} failed: ${errorText(err)}`);
        if (!res.headersSent) answerPlain(res, 500, "pushpals model proxy: internal error\n");
        else res.destroy();
      })
      .finally(() => active.delete(served));
    active.add(served);
  });
  const refuseRaw = (kind: string) => (req: IncomingMessage, socket: Duplex) => {
    const reason = kind === "CONNECT" ? `only the model API is reachable here, not a tunnel to ${shown(req.url ?? "?")}` : "protocol upgrades are not forwarded";
    refuse(req.method ?? kind, req.url ?? "?", 403, reason);
    const text = `pushpals model proxy: ${reason}\n`;
    socket.on("error", () => {});
    socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  };
  server.on("connect", refuseRaw("CONNECT"));
  server.on("upgrade", refuseRaw("upgrade"));
  server.on("connection", (socket: Duplex) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  server.on("clientError", (_err, socket: Duplex) => {
    if (!socket.destroyed) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.on("error", () => {});
  removeStaleSocket(options.socketPath);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(new PushpalsError("component_failed", `the model proxy could not listen on ${options.socketPath}: ${err.message}`, { cause: err }));
    server.once("error", failed);
    server.listen(options.socketPath, () => {
      server.off("error", failed);
      resolve();
    });
  });
  try {
    chmodSync(options.socketPath, 0o600);
  } catch (err) {
    server.close();
    rmSync(options.socketPath, { force: true });
    throw new PushpalsError("component_failed", `the model proxy could not restrict ${options.socketPath} to its owner: ${(err as Error).message}`, { cause: err });
  }

  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    counters: () => ({ ...counters }),
    refusals: () => [...refusals],
    stop(reason) {
      stopped ??= reason;
      for (const c of inFlight) c.abort();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        stopped ??= "the model proxy is closed";
        for (const c of inFlight) c.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      })
        .then(() => Promise.allSettled([...active]))
        .then(() => rmSync(options.socketPath, { force: true }));
      return closing;
    },
  };
}

/** The first `CAPTURE_BYTES` of an answer, as text. */
class Capture {
  private parts: Buffer[] = [];
  private size = 0;
  push(chunk: Buffer): void {
    if (this.size >= CAPTURE_BYTES || chunk.length === 0) return;
    const part = chunk.subarray(0, CAPTURE_BYTES - this.size);
    this.parts.push(Buffer.from(part));
    this.size += part.length;
  }
  text(): string {
    return Buffer.concat(this.parts).toString("utf8");
  }
}

/**
 * The body as it goes out. A streamed OpenAI completion states its usage only when asked, so the proxy asks
 * (`stream_options.include_usage`): the budget must not depend on what the client chose to request.
 */
function prepareBody(raw: Buffer, route: ModelProxyRoute): { body: Buffer; model: string | null } {
  if (raw.length === 0) return { body: raw, model: null };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString("utf8"));
  } catch {
    return { body: raw, model: null };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return { body: raw, model: null };
  const value = parsed as Record<string, unknown>;
  const model = typeof value.model === "string" && MODEL_ID.test(value.model) ? value.model : null;
  if (!route.asksStreamUsage || value.stream !== true) return { body: raw, model };
  const streamOptions = value.stream_options !== null && typeof value.stream_options === "object" ? (value.stream_options as Record<string, unknown>) : {};
  if (streamOptions.include_usage === true) return { body: raw, model };
  return { body: Buffer.from(JSON.stringify({ ...value, stream_options: { ...streamOptions, include_usage: true } })), model };
}

/** The body, or null past `max` bytes. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.once("end", () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.once("error", reject);
  });
}

function passedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED_REQUEST.has(lower) || lower.startsWith("x-forwarded-") || lower.startsWith("proxy-") || lower === "content-type") continue;
    out[lower] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function contentType(req: IncomingMessage): string {
  const type = req.headers["content-type"];
  return typeof type === "string" && type.length < 200 ? type : "application/json";
}

function answerHeaders(headers: Headers, scrub: (text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (!DROPPED_RESPONSE.has(name.toLowerCase())) out[name] = scrub(value);
  });
  return out;
}

function answerPlain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text), connection: "close" });
  res.end(text);
}

/** Writes and waits while the client is slow; false once it is gone. */
function write(res: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off("drain", onDrain);
      res.off("close", onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once("drain", onDrain);
    res.once("close", onClose);
  });
}

function hostOf(url: string): string {
  return URL.parse(url)?.host ?? shown(url);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? `${err.message}${(err as { code?: string }).code ? ` (${(err as { code?: string }).code})` : ""}` : String(err);
  return shown(text.split("\n")[0] ?? "");
}

/** A socket file left by a crashed proxy is removed; anything else in the way is an error, never deleted. */
function removeStaleSocket(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isSocket()) throw new PushpalsError("conflict", `${path} exists and is not a socket`, { hint: `move it out of the way: mv ${path} ${path}.bak` });
  rmSync(path);
}
