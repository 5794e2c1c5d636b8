import { PushpalsError, type ErrorCode } from "../core/errors.ts";
import { readServerInfo } from "../runtime-dir/server-file.ts";
import { ServerLock } from "../runtime-dir/server-lock.ts";

/** Where the server is: a fixed URL, or `server.json` (trusted only while `serverLock` is held, if given). */
export type ServerTarget = { url: string } | { serverFile: string; serverLock?: string };

export interface ApiResponse<T> {
  status: number;
  data: T;
}

/**
 * The one HTTP client for the API, used by the CLI and by WorkerPals. It finds the server through
 * `server.json` on every connection failure, so clients survive a server restart on a new port.
 */
export class ApiClient {
  private cachedUrl: string | null = null;

  constructor(private readonly target: ServerTarget) {}

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

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<ApiResponse<T>> {
    const url = `${this.url()}${path}`;
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
    if (res.status === 204) return { status: 204, data: null as T };
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
    return { status: res.status, data: data as T };
  }

  /** Opens a streaming GET (SSE or JSONL) and returns the raw response. */
  async stream(path: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const url = `${this.url()}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.cachedUrl = null;
      throw new PushpalsError("server_unreachable", `cannot reach the PushPals server at ${url}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const data = (await res.json().catch(() => ({}))) as { error?: { code?: ErrorCode; message?: string } };
      throw new PushpalsError(data.error?.code ?? "internal", data.error?.message ?? `HTTP ${res.status}`);
    }
    return res;
  }
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
