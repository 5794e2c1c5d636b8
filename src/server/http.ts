import type { z } from "zod";
import { PushpalsError, type ErrorCode } from "../core/errors.ts";

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  illegal_transition: 409,
  lease_lost: 409,
  request_timeout: 408,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
};

declare const replyBody: unique symbol;
declare const streamed: unique symbol;

/** A JSON response that carries its body's type, so a handler's reply is checked against its route. */
export type JsonReply<T> = Response & { readonly [replyBody]: T };
/** A streaming response (SSE or JSON lines). */
export type StreamReply = Response & { readonly [streamed]: true };
declare const plainText: unique symbol;
/** A plain-text response in the route's own format (see TextSpec). */
export type TextReply = Response & { readonly [plainText]: true };

export function json<T>(body: T, status = 200): JsonReply<T> {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } }) as JsonReply<T>;
}

/** 204: the client reads it as `null`. */
export function noContent(): JsonReply<null> {
  return new Response(null, { status: 204 }) as JsonReply<null>;
}

export function textReply(body: string, contentType: string): TextReply {
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } }) as TextReply;
}

export function streamReply(body: ReadableStream<Uint8Array>, headers: Record<string, string>): StreamReply {
  return new Response(body, { headers }) as StreamReply;
}

export function errorResponse(err: unknown): Response {
  if (err instanceof PushpalsError) {
    const res = json({ error: err.toJSON() }, STATUS[err.code] ?? 500);
    // A refused or half-read request gives its connection back: a flood keeps no descriptor open with it.
    if (err.code === "too_many_requests") res.headers.set("retry-after", "1");
    if (err.code === "too_many_requests" || err.code === "request_timeout") res.headers.set("connection", "close");
    return res;
  }
  console.error("[server] internal error:", err);
  return json({ error: { code: "internal", message: "internal server error; see the server log" } }, 500);
}

export interface BodyLimits {
  maxBytes: number;
  /** The whole body must arrive within this (a half-sent body must not hold the request forever). */
  timeoutMs: number;
}

/** Reads a JSON body within the size and time limits and validates it; every failure is a 4xx naming what is wrong. */
export async function readBody<S extends z.ZodType>(req: Request, schema: S, limits: BodyLimits): Promise<z.infer<S>> {
  const { maxBytes } = limits;
  const type = req.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new PushpalsError("unsupported_media_type", `content-type must be application/json (got "${type || "none"}")`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readCapped(req, limits);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new PushpalsError("invalid_input", "request body is not valid JSON", { field: "body" });
  }
  return validate(schema, raw, "body");
}

export function validate<S extends z.ZodType>(schema: S, raw: unknown, root: string): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  const field = [...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join(".") || root;
  const message = issue.code === "unrecognized_keys" ? `unknown field ${keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
  throw new PushpalsError("invalid_input", `${field}: ${message}`, { field });
}

export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of url.searchParams) out[key] = value;
  return out;
}

/** Reads the body chunk by chunk and stops as soon as it passes a limit (chunked uploads included). */
async function readCapped(req: Request, { maxBytes, timeoutMs }: BodyLimits): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(tooSlow(timeoutMs)), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), expired]);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    if (err instanceof PushpalsError) throw err;
    throw tooLarge(maxBytes);
  } finally {
    clearTimeout(timer);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooSlow(timeoutMs: number): PushpalsError {
  return new PushpalsError("request_timeout", `the request body did not arrive within ${timeoutMs / 1000} s`, {
    hint: "send the whole body at once (server.request_timeout_seconds sets the limit)",
  });
}

function tooLarge(maxBytes: number): PushpalsError {
  return new PushpalsError("payload_too_large", `request body is larger than ${maxBytes} bytes`, {
    hint: "send smaller batches (for logs, fewer lines per request)",
  });
}
