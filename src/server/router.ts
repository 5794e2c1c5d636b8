import { PushpalsError } from "../core/errors.ts";
import { COMPONENT_NAME_PATTERN } from "../components/component-types.ts";
import { isValidId } from "../core/ids.ts";

/** Every path parameter has a pattern; `:name` is a component name, anything else an id. */
const PARAM_PATTERNS: Record<string, (value: string) => boolean> = {
  name: (value) => COMPONENT_NAME_PATTERN.test(value),
  number: (value) => /^[1-9][0-9]{0,8}$/.test(value),
};

export interface RouteContext {
  req: Request;
  url: URL;
  params: Record<string, string>;
}

export type Handler = (ctx: RouteContext) => Response | Promise<Response>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/**
 * Exact-segment routing. `:id`-style parameters must match the ID pattern, so an encoded slash,
 * dot-dot or any other path trick is refused before a handler sees it.
 */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, parts: path.split("/").filter(Boolean), handler });
    return this;
  }

  match(req: Request, url: URL): { handler: Handler; params: Record<string, string> } {
    const segments = url.pathname.split("/").filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchParts(route.parts, segments);
      if (!params) continue;
      pathMatched = true;
      if (route.method === req.method) return { handler: route.handler, params };
    }
    if (pathMatched) throw new PushpalsError("method_not_allowed", `${req.method} is not allowed on ${url.pathname}`);
    throw new PushpalsError("not_found", `no such endpoint: ${req.method} ${url.pathname}`);
  }
}

function matchParts(parts: string[], segments: string[]): Record<string, string> | null {
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const segment = segments[i]!;
    if (part.startsWith(":")) {
      const name = part.slice(1);
      const valid = PARAM_PATTERNS[name] ?? isValidId;
      if (!valid(segment)) {
        throw new PushpalsError("invalid_input", `${name}: "${segment.slice(0, 80)}" is not a valid ${name === "name" || name === "number" ? name : "id"}`, { field: name });
      }
      params[name] = segment;
      continue;
    }
    if (part !== segment) return null;
  }
  return params;
}
