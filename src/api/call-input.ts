import type { z } from "zod";
import type { BodyInputOf, ParamsOf, QueryInputOf, Route } from "./define-route.ts";
import type { HasParams } from "./path-params.ts";
import { PushpalsError } from "../core/errors.ts";

type ParamsInput<R extends Route> = HasParams<R["path"]> extends true ? { params: ParamsOf<R> } : { params?: undefined };
type QueryInput<R extends Route> = R extends { query: z.ZodType } ? { query?: QueryInputOf<R> } : { query?: undefined };
/** A body whose fields are all optional may be left out (`{}` is sent). */
type BodyInput<R extends Route> = R extends { body: z.ZodType } ? ({} extends BodyInputOf<R> ? { body?: BodyInputOf<R> } : { body: BodyInputOf<R> }) : { body?: undefined };

/** What a call of a route takes: its path parameters, query and body, typed by the route's schemas. */
export type CallInput<R extends Route> = ParamsInput<R> & QueryInput<R> & BodyInput<R> & { signal?: AbortSignal };
/** The input argument, optional when the route needs nothing. */
export type CallArgs<R extends Route> = {} extends CallInput<R> ? [input?: CallInput<R>] : [input: CallInput<R>];

export type StreamInput<R extends Route> = ParamsInput<R> & QueryInput<R> & { headers?: Record<string, string>; signal?: AbortSignal };
export type StreamArgs<R extends Route> = {} extends StreamInput<R> ? [input?: StreamInput<R>] : [input: StreamInput<R>];

/** The request target of a route: path parameters encoded into its path, then the query (unset values left out). */
export function routeTarget(route: Route, params: Readonly<Record<string, string | number>> | undefined, query: object | undefined): string {
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new PushpalsError("internal", `${route.name}: no value for path parameter :${name}`);
    return encodeURIComponent(String(value));
  });
  if (!query) return path;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}
