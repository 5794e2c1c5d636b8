import { accessSync, constants } from "node:fs";
import { dirname } from "node:path";
import { PushpalsError, type ErrorCode } from "../core/errors.ts";
import { readServerInfo } from "../runtime-dir/server-file.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";
import type { JsonRoute, ReplyOf, StreamRoute } from "../api/define-route.ts";
import { routeTarget, type CallArgs, type StreamArgs } from "../api/call-input.ts";

/**
 * Where the server is: its API socket; `server.json` (trusted only while `serverLock` is held, if
 * given), falling back to `peopleSocket` for another OS user, who cannot read the owner's runtime
 * directory; or a fixed loopback URL, which answers reads only.
 */
export type ServerTarget = { socket: string } | { serverFile: string; serverLock?: string; peopleSocket?: string } | { url: string };

/** The header a component's credential travels in (the server's CREDENTIAL_HEADER). */
const CREDENTIAL_HEADER = "x-pushpals-credential";

/** Where requests go: a base URL, over a Unix socket when `unix` is set. */
interface Endpoint {
  base: string;
  unix?: string;
  /** What `url()` shows: the loopback URL, or the socket. */
  shown: string;
}

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
  private cached: Endpoint | null = null;
  private readonly checkReplies: boolean;
  private credential: string | null = null;

  constructor(
    private readonly target: ServerTarget,
    options: ApiClientOptions = {},
  ) {
    this.checkReplies = options.checkReplies ?? false;
  }

  /** A component's credential, sent with every call from now on (see src/runtime/credential.ts). */
  useCredential(credential: string): void {
    this.credential = credential;
  }

  /** The server's loopback URL (or, for another OS user, the people's socket), for people to read. */
  url(): string {
    return this.endpoint().shown;
  }

  private endpoint(): Endpoint {
    if (this.cached) return this.cached;
    const target = this.target;
    if ("url" in target) return (this.cached = { base: target.url, shown: target.url });
    if ("socket" in target) return (this.cached = { base: "http://localhost", unix: target.socket, shown: target.socket });
    if (target.peopleSocket && !canEnter(dirname(target.serverFile))) {
      return (this.cached = { base: "http://localhost", unix: target.peopleSocket, shown: target.peopleSocket });
    }
    // A server.json left by a crash may point at a socket or port some other program now uses.
    const live = target.serverLock === undefined || ServerLock.isHeld(target.serverLock);
    const info = live ? readServerInfo(target.serverFile) : null;
    if (!info) {
      throw new PushpalsError("server_unreachable", "no PushPals server is running for this repository", {
        hint: "start it with `pushpals start`",
      });
    }
    if (!info.socket) {
      throw new PushpalsError("server_unreachable", `the server at ${info.url} (pid ${info.pid}) is from an older PushPals and has no socket`, {
        hint: "restart it: pushpals stop && pushpals start",
      });
    }
    return (this.cached = { base: "http://localhost", unix: info.socket, shown: info.url });
  }

  private headers(extra: Record<string, string>): Record<string, string> {
    return this.credential === null ? extra : { ...extra, [CREDENTIAL_HEADER]: this.credential };
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
    const endpoint = this.endpoint();
    const url = `${endpoint.base}${routeTarget(route, params, { ...query, ...route.stream.when })}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: this.headers(headers ?? {}), signal, unix: endpoint.unix });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.cached = null;
      throw new PushpalsError("server_unreachable", `cannot reach the PushPals server at ${endpoint.unix ?? url}: ${(err as Error).message}`);
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
    const endpoint = this.endpoint();
    const url = `${endpoint.base}${target}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: this.headers(body === undefined ? {} : { "content-type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        unix: endpoint.unix,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.cached = null;
      throw new PushpalsError("server_unreachable", `cannot reach the PushPals server at ${endpoint.unix ?? url}: ${(err as Error).message}`, {
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

/** Whether this process may look inside `dir` (another OS user may not enter the owner's 0700 runtime directory). */
function canEnter(dir: string): boolean {
  try {
    accessSync(dir, constants.X_OK);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code !== "EACCES" && code !== "EPERM";
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
