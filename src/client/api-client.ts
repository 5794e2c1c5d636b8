import { PushpalsError, type ErrorCode } from "../core/errors.ts";
import { readServerInfo } from "../runtime-dir/server-file.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import type { JsonRoute, ReplyOf, StreamRoute } from "../api/define-route.ts";
import { routeTarget, type CallArgs, type StreamArgs } from "../api/call-input.ts";

/** Where the server is: a fixed URL, or `server.json` (trusted only while `serverLock` is held, if given). */
export type ServerTarget = { url: string } | { serverFile: string; serverLock?: string };

export interface ApiClientOptions {
  /**
   * Check every JSON reply against its route's response schema (the tests turn this on). Off by
   * default: the types already come from the same schemas, and the hot paths stay parse-free.
   */
  checkReplies?: boolean;
}

/**
 * The one HTTP client for the API, used by the CLI, WorkerPals, agents and the supervisor. Every call
 * goes through an entry of the route table (src/api/routes.ts), which types its input and its reply.
 * It finds the server through `server.json` on every connection failure, so clients survive a server
 * restart on a new port.
 */
export class ApiClient {
  private cachedUrl: string | null = null;
  private readonly checkReplies: boolean;

  constructor(
    private readonly target: ServerTarget,
    options: ApiClientOptions = {},
  ) {
    this.checkReplies = options.checkReplies ?? false;
  }

  url(): string {
    if ("url" in this.target) return this.target.url;
    if (this.cachedUrl) return this.cachedUrl;
    // A server.json left by a crash may point at a port some other program now uses.
    const live = this.target.serverLock === undefined || ServerLock.isHeld(this.target.serverLock);
    const info = live ? readServerInfo(this.target.serverFile) : null;
    if (!info) {
      throw new PushpalsError("server_unreachable", "no PushPals server is running for this repository", {
        hint: "start it with `pushpals start`",
      });
    }
    this.cachedUrl = info.url;
    return info.url;
  }

  /** Calls a JSON route; the reply's type is the route's response schema's (`null` for a 204). */
  async call<R extends JsonRoute>(route: R, ...[input]: CallArgs<R>): Promise<ReplyOf<R>> {
    const { params, query, body, signal } = (input ?? {}) as RawInput;
    const target = routeTarget(route, params, query);
    const data = await this.send(route.method, target, route.body ? (body ?? {}) : undefined, signal);
    if (this.checkReplies) checkReply(route, data);
    return data as ReplyOf<R>;
  }

  /** Opens a streaming route (SSE or JSONL) and returns the raw response; its messages are `MessageOf<R>`. */
  async stream<R extends StreamRoute>(route: R, ...[input]: StreamArgs<R>): Promise<Response> {
    const { params, query, headers, signal } = (input ?? {}) as RawInput;
    const url = `${this.url()}${routeTarget(route, params, { ...query, ...route.stream.when })}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: headers ?? {}, signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.cachedUrl = null;
      throw new PushpalsError("server_unreachable", `cannot reach the PushPals server at ${url}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const data = (await res.json().catch(() => ({}))) as { error?: { code?: ErrorCode; message?: string; hint?: string } };
      throw new PushpalsError(data.error?.code ?? "internal", data.error?.message ?? `HTTP ${res.status}`, {
        hint: data.error?.hint,
        details: { status: res.status },
      });
    }
    return res;
  }

  private async send(method: string, target: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const url = `${this.url()}${target}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.cachedUrl = null;
      throw new PushpalsError("server_unreachable", `cannot reach the PushPals server at ${url}: ${(err as Error).message}`, {
        hint: "is it running? start it with `pushpals serve`",
      });
    }
    if (res.status === 204) return null;
    const text = await res.text();
    let data: unknown = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { error: { code: "internal", message: text.slice(0, 200) } };
    }
    if (!res.ok) {
      const error = ((data ?? {}) as { error?: { code?: string; message?: string; hint?: string; field?: string } }).error ?? {};
      throw new PushpalsError((error.code as ErrorCode) ?? "internal", error.message ?? `HTTP ${res.status}`, {
        hint: error.hint,
        field: error.field,
        details: { status: res.status },
      });
    }
    return data;
  }
}

interface RawInput {
  params?: Record<string, string | number>;
  query?: object;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function checkReply(route: JsonRoute, data: unknown): void {
  const parsed = route.response.safeParse(data);
  if (parsed.success) return;
  const issue = parsed.error.issues[0]!;
  throw new PushpalsError("internal", `the reply to ${route.name} does not match the API contract: ${issue.path.join(".") || "reply"}: ${issue.message}`);
}

/** Retries while the server is unreachable (restarting), up to a deadline; other errors pass through. */
export async function retryUnreachable<T>(fn: () => Promise<T>, options: { deadline: number; signal?: AbortSignal }): Promise<T> {
  let delay = 50;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      const retry = err instanceof PushpalsError && err.code === "server_unreachable" && Date.now() < options.deadline && !options.signal?.aborted;
      if (!retry) throw err;
      await Bun.sleep(delay);
      delay = Math.min(delay * 2, 1_000);
    }
  }
}
