import type { ModelProxyRoute } from "../models/providers/model-provider.ts";

/**
 * Which request of a sandboxed agent CLI the model proxy forwards, and where: pure. The sandbox names the
 * proxy `http://127.0.0.1:<port>` (the forwarder on its own loopback), so a request is origin-form
 * (`POST /v1/messages`) or, from a client that went through HTTP_PROXY, absolute-form naming that same
 * address. Its path must be `/v1/` and one of the provider's routes exactly (no dot segments, no encoded
 * slashes: nothing to normalise); the query is passed on as it is, within bounds.
 */

export type RouteDecision =
  | { allowed: true; route: ModelProxyRoute; /** the route's path as asked (`models/gpt-4o`) */ path: string; query: string }
  | { allowed: false; reason: string };

const MAX_TARGET_CHARS = 4096;
/** One path segment of a `:id` route: a model id's characters. */
const SEGMENT = /^(?!\.+$)[A-Za-z0-9._:@+-]{1,200}$/;
const QUERY = /^\?[A-Za-z0-9._~%&=+,:*-]{0,2000}$/;

/** A request target, shown in a refusal: printable, one line, bounded. */
export function shown(text: string): string {
  const clean = text.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 200 ? `${clean.slice(0, 200)}…` : clean;
}

/**
 * The route `method target` takes, or why it is refused. `self` are the authorities (`127.0.0.1:3128`) an
 * absolute-form request may name: the proxy's own address inside the sandbox, nothing else.
 */
export function decideRoute(method: string, target: string, routes: readonly ModelProxyRoute[], self: readonly string[]): RouteDecision {
  if (target.length > MAX_TARGET_CHARS) return { allowed: false, reason: "the request target is too long" };
  let pathAndQuery = target;
  if (!target.startsWith("/")) {
    const url = /^http:\/\//i.test(target) ? URL.parse(target) : null;
    if (url === null) return { allowed: false, reason: `only the model API is reachable here, not ${shown(target)}` };
    const authority = `${url.hostname}:${url.port || "80"}`;
    if (url.username !== "" || url.password !== "" || !self.includes(authority)) return { allowed: false, reason: `only the model API is reachable here, not ${shown(url.host)}` };
    const slash = target.indexOf("/", "http://".length);
    pathAndQuery = slash < 0 ? "/" : target.slice(slash);
  }
  const q = pathAndQuery.indexOf("?");
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const query = q < 0 ? "" : pathAndQuery.slice(q);
  if (query !== "" && !QUERY.test(query)) return { allowed: false, reason: `the query of ${shown(path)} is not one the model API takes` };
  if (!path.startsWith("/v1/")) return { allowed: false, reason: `${shown(method)} ${shown(path)} is not the model API (its paths start with /v1/)` };
  const asked = path.slice("/v1/".length);
  for (const route of routes) {
    if (!matches(route.path, asked)) continue;
    if (route.method !== method) continue;
    return { allowed: true, route, path: asked, query };
  }
  const known = routes.some((r) => matches(r.path, asked));
  return { allowed: false, reason: known ? `${shown(method)} is not allowed on ${shown(path)}` : `${shown(path)} is not a model API path this proxy forwards` };
}

function matches(pattern: string, asked: string): boolean {
  if (!pattern.endsWith("/:id")) return pattern === asked;
  const prefix = pattern.slice(0, -":id".length);
  return asked.startsWith(prefix) && SEGMENT.test(asked.slice(prefix.length));
}
