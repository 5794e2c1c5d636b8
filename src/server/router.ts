import type { BodyOf, ParamsOf, QueryOf, ReplyOf, Route } from "../api/define-route.ts";
import { paramNoun, paramPattern, paramValue } from "../api/path-params.ts";
import { PushpalsError } from "../core/errors.ts";
import type { Caller } from "./caller.ts";
import { queryObject, readBody, validate, type BodyLimits, type JsonReply, type StreamReply, type TextReply } from "./http.ts";

export interface RouteContext<R extends Route = Route> {
  req: Request;
  url: URL;
  params: ParamsOf<R>;
  /** The query, validated by the route's schema (before the handler runs). */
  query: QueryOf<R>;
  /** The body, read within the size limit and validated by the route's schema. */
  body: BodyOf<R>;
  /** Who is calling, established by the server (the connection's peer credentials, a component credential). */
  caller: Caller;
}

/** Refuses a call its caller may not make (see access.ts); runs before the handler. */
export type Authorize = (route: Route, caller: Caller, request: { params: Record<string, string | number>; body: unknown }) => void;

/** What a handler may answer: JSON of the route's reply type, a stream if the route declares one, text if it declares text. */
export type RouteAnswer<R extends Route> =
  | (R extends { response: unknown } ? JsonReply<ReplyOf<R>> : never)
  | (R extends { stream: unknown } ? StreamReply : never)
  | (R extends { text: unknown } ? TextReply : never);

export type RouteHandler<R extends Route> = (ctx: RouteContext<R>) => RouteAnswer<R> | Promise<RouteAnswer<R>>;

type Dispatch = (req: Request, url: URL, params: Record<string, string | number>, caller: Caller) => Promise<Response>;

interface Registered {
  route: Route;
  parts: string[];
  dispatch: Dispatch;
}

/**
 * Exact-segment routing over the API contract: only entries of the route table can be registered,
 * each once. Path parameters must match their pattern, so an encoded slash, dot-dot or any other
 * path trick is refused before a handler sees it.
 */
export class Router {
  private readonly registered: Registered[] = [];
  private readonly table: readonly Route[];

  constructor(
    table: Readonly<Record<string, Route>>,
    private readonly bodyLimits: BodyLimits,
    private readonly authorize: Authorize = () => {},
  ) {
    this.table = Object.values(table);
  }

  route<R extends Route>(route: R, handler: RouteHandler<R>): this {
    if (!this.table.includes(route)) throw new PushpalsError("internal", `route ${route.name} (${route.method} ${route.path}) is not in the API contract`);
    if (this.registered.some((r) => r.route === route)) throw new PushpalsError("internal", `route ${route.name} is registered twice`);
    const dispatch: Dispatch = async (req, url, params, caller) => {
      const query = route.query ? validate(route.query, queryObject(url), "query") : undefined;
      // A write the caller may not make is refused before its body is read.
      if (route.method !== "GET") this.authorize(route, caller, { params, body: undefined });
      const body = route.body ? await readBody(req, route.body, this.bodyLimits) : undefined;
      this.authorize(route, caller, { params, body });
      return handler({ req, url, params, query, body, caller } as RouteContext<R>);
    };
    this.registered.push({ route, parts: route.path.split("/").filter(Boolean), dispatch });
    return this;
  }

  /** Contract entries without a handler: the server refuses to start with any. */
  unregistered(): Route[] {
    return this.table.filter((route) => !this.registered.some((r) => r.route === route));
  }

  match(req: Request, url: URL): { dispatch: Dispatch; params: Record<string, string | number> } {
    const segments = url.pathname.split("/").filter(Boolean);
    let pathMatched = false;
    for (const { route, parts, dispatch } of this.registered) {
      const params = matchParts(parts, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === req.method) return { dispatch, params };
    }
    if (pathMatched) throw new PushpalsError("method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
    throw new PushpalsError("not_found", `no such endpoint: ${req.method} ${url.pathname}`);
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string | number> | null {
  if (parts.length !== segments.length) return null;
  const params: Record<string, string | number> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(":")) {
      const name = part.slice(1);
      if (!paramPattern(name)(segment)) {
        throw new PushpalsError("invalid_input", `${name}: "${segment.slice(0, 80)}" is not a valid ${paramNoun(name)}`, { field: name });
      }
      params[name] = paramValue(name, segment);
      continue;
    }
    if (part !== segment) return null;
  }
  return params;
}
