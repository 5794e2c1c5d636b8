import type { z } from "zod";
import type { PathParams } from "./path-params.ts";

export type Method = "GET" | "POST";

/** A streaming reply: SSE messages or JSON lines, each message's data described by `message`. */
export interface StreamSpec {
  format: "sse" | "jsonl";
  /** On an endpoint that also answers JSON: the query that asks for the stream instead. */
  when?: Readonly<Record<string, string>>;
  message: z.ZodType;
}

/** A plain-text reply in a format of its own (the Prometheus exposition), neither JSON nor a stream. */
export interface TextSpec {
  contentType: string;
}

/**
 * One endpoint of the HTTP API: what it accepts and what it answers. The server registers its
 * handler from the entry and the client calls through it, so both ends share one set of schemas.
 */
export interface RouteSpec {
  method: Method;
  /** `:name` segments are path parameters (see path-params.ts for what each accepts). */
  path: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The JSON reply (the 2xx body; 204 answers `null`). */
  response?: z.ZodType;
  stream?: StreamSpec;
  text?: TextSpec;
}

export type Route<S extends RouteSpec = RouteSpec> = S & { readonly name: string };
export type JsonRoute = Route & { response: z.ZodType };
export type StreamRoute = Route & { stream: StreamSpec };
export type TextRoute = Route & { text: TextSpec };

/** Names every entry after its key and refuses two entries for the same method and path. */
export function defineRoutes<const T extends Record<string, RouteSpec>>(table: T): { readonly [K in keyof T]: T[K] & { readonly name: K } } {
  const seen = new Set<string>();
  const out: Record<string, Route> = {};
  for (const [name, spec] of Object.entries(table)) {
    const key = `${spec.method} ${spec.path}`;
    if (seen.has(key)) throw new Error(`API contract: ${key} is declared twice`);
    if (!spec.response && !spec.stream && !spec.text) throw new Error(`API contract: ${name} answers neither JSON nor a stream nor text`);
    seen.add(key);
    out[name] = Object.freeze({ ...spec, name });
  }
  return out as { readonly [K in keyof T]: T[K] & { readonly name: K } };
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** The path parameters of a route, by name: `number` is a number, every other one a string. */
export type ParamsOf<R extends RouteSpec> = PathParams<R["path"]>;
/** The validated query and body a handler receives. */
export type QueryOf<R extends RouteSpec> = R extends { query: infer Q } ? Parsed<Q> : undefined;
export type BodyOf<R extends RouteSpec> = R extends { body: infer B } ? Parsed<B> : undefined;
/** What a client sends: the schemas' input types (defaults may be left out). */
export type QueryInputOf<R extends RouteSpec> = R extends { query: infer Q extends z.ZodType } ? z.input<Q> : never;
export type BodyInputOf<R extends RouteSpec> = R extends { body: infer B extends z.ZodType } ? z.input<B> : never;
/** The JSON a route answers. */
export type ReplyOf<R extends RouteSpec> = R extends { response: infer S extends z.ZodType } ? z.output<S> : never;
/** The data of one message of a streaming route. */
export type MessageOf<R extends RouteSpec> = R extends { stream: { message: infer S extends z.ZodType } } ? z.output<S> : never;
