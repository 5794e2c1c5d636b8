import { PushpalsError } from "../core/errors.ts";

/** Requests that stay open by design: streams (`/events`, `logs --follow`, audit export) and waiting claims. */
export type HoldKind = "stream" | "claim_wait";

export interface ConnectionLimitsOptions {
  /** `server.max_streams`: concurrent streams of all clients together. */
  maxStreams: number;
  /** `server.request_timeout_seconds`: a request must arrive completely (body included) within it; an idle keep-alive connection is closed after it. */
  requestTimeoutSeconds: number;
  /** The open-file limit every cap must fit in; null when unknown (no sizing by it, no pressure check). */
  fileLimit: number | null;
  /** Descriptors open now; null when unknown. */
  openFiles: () => number | null;
}

/** Waiting claims of all workers together: far more than `workers.count` (at most 32) plus the agents. */
const MAX_CLAIM_WAITS = 128;
/** Waiting claims of one worker id: a worker waits on one claim at a time (two overlap while one is aborted). */
const MAX_CLAIM_WAITS_PER_WORKER = 2;
/** The longest idle timeout Bun accepts for a connection. */
const MAX_TIMEOUT_SECONDS = 255;

/** What the server knows about the connection of a request: Bun's per-request idle timeout. */
export interface RequestServer {
  timeout(req: Request, seconds: number): void;
}

export interface Hold {
  release(): void;
}

interface Cap {
  /** The configured cap, and the effective one (lowered to fit the open-file limit). */
  configured: number;
  max: number;
  perClient: number;
  noun: string;
  /** What to say when every slot is taken, or every slot one client may have: message, hint, the cap's name. */
  full(cap: Cap, open: number, fileLimit: number | null): Refusal;
  clientFull(cap: Cap, client: string, mine: number): Refusal;
}

type Refusal = [message: string, hint: string, name: string];

const STREAM_FIX = "close other `pushpals watch` or `pushpals logs --follow` sessions, or raise server.max_streams in .pushpals/config.toml";

function caps(maxStreams: number, fileLimit: number | null): Record<HoldKind, Cap> {
  const fit = (n: number) => Math.max(1, fileLimit === null ? n : Math.min(n, Math.floor(fileLimit / 4)));
  const why = (cap: Cap, setting: string, fileLimit: number | null) =>
    cap.max < cap.configured ? `a quarter of its open-file limit ${fileLimit}` : `${setting} = ${cap.max}`;
  return {
    stream: {
      configured: maxStreams,
      max: fit(maxStreams),
      perClient: Math.max(1, Math.ceil(fit(maxStreams) / 2)),
      noun: "streams",
      full: (cap, open, limit) => [
        `the server already has ${open} streams open, the most it allows (${why(cap, "server.max_streams", limit)})`,
        cap.max < cap.configured ? `${STREAM_FIX} and the server's open-file limit (ulimit -Hn)` : STREAM_FIX,
        "max_streams",
      ],
      clientFull: (cap, _client, mine) => [`this client already has ${mine} streams open, the most one client may have (half of ${cap.max})`, "close some of its streams first", "max_streams_per_client"],
    },
    claim_wait: {
      configured: MAX_CLAIM_WAITS,
      max: fit(MAX_CLAIM_WAITS),
      perClient: MAX_CLAIM_WAITS_PER_WORKER,
      noun: "waiting claims",
      full: (cap, open, limit) => [
        `the server already has ${open} waiting claims open, the most it allows (${why(cap, "its claim limit", limit)})`,
        "more workers claim at once than the server serves: lower workers.count or stop stray worker processes",
        "max_claim_waits",
      ],
      clientFull: (cap, client, mine) => [
        `worker ${client} already has ${mine} waiting claims, the most one worker may have (${cap.perClient})`,
        `a worker claims one job at a time: stop the other process using worker id ${client}`,
        "max_claim_waits_per_worker",
      ],
    },
  };
}

/**
 * Bounds on what one local process can keep open, applied in the fetch path of every listener.
 *
 * Only long-lived requests are counted (each holds a descriptor for minutes): short requests are
 * never capped, so `/health`, `/status` and every CLI command keep answering while the long-lived
 * slots are full. Each cap is at most a quarter of the open-file limit, and near that limit new
 * long-lived requests are refused too, which leaves the rest of the descriptors to short requests,
 * half-sent requests (until Bun's timeouts drop them), SQLite and child processes.
 *
 * "Per client": loopback TCP says nothing about who is connecting (a peer address and port are per
 * connection, not per process), so streams on TCP count only against the global cap; a listener that
 * knows its caller (the Unix socket's peer uid) passes it as the client key, and one client then gets
 * at most half the streams. Waiting claims are keyed by the worker id they claim for.
 */
export class ConnectionLimits {
  private readonly caps: Record<HoldKind, Cap>;
  private readonly open: Record<HoldKind, number> = { stream: 0, claim_wait: 0 };
  private readonly byClient: Record<HoldKind, Map<string, number>> = { stream: new Map(), claim_wait: new Map() };
  private readonly servers = new WeakMap<Request, RequestServer>();
  private sampled = { at: 0, open: null as number | null };

  constructor(readonly options: ConnectionLimitsOptions) {
    this.caps = caps(options.maxStreams, options.fileLimit);
  }

  /** The effective cap of a kind (the configured one, lowered to fit the open-file limit). */
  max(kind: HoldKind): number {
    return this.caps[kind].max;
  }

  count(kind: HoldKind): number {
    return this.open[kind];
  }

  /** First thing in the fetch path: remembers the server that carries this request, for its timeout. */
  attach(req: Request, server: RequestServer): void {
    this.servers.set(req, server);
  }

  /**
   * Takes a slot for a long-lived request, or throws `too_many_requests` naming the cap hit and the
   * fix. The connection may then stay quiet for `quietSeconds` (Bun's idle timeout would cut it
   * sooner). The slot is freed by `release` or when the client goes, whichever comes first.
   */
  hold(req: Request, kind: HoldKind, client: string | null, quietSeconds: number): Hold {
    this.check(kind, client);
    this.open[kind]++;
    if (client !== null) this.byClient[kind].set(client, (this.byClient[kind].get(client) ?? 0) + 1);
    this.quiet(req, quietSeconds);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      req.signal.removeEventListener("abort", release);
      this.open[kind]--;
      if (client === null) return;
      const left = (this.byClient[kind].get(client) ?? 1) - 1;
      if (left > 0) this.byClient[kind].set(client, left);
      else this.byClient[kind].delete(client);
    };
    req.signal.addEventListener("abort", release);
    return { release };
  }

  /**
   * Opens a stream in a slot: `open` runs only once the slot is taken, and the body it returns frees
   * the slot when it ends, fails or is cancelled. `heartbeatMs` (0: none) is how often it writes
   * while idle: the connection may stay quiet for two missed heartbeats plus the usual allowance.
   */
  stream(req: Request, client: string | null, heartbeatMs: number, open: () => ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const hold = this.hold(req, "stream", client, Math.ceil((2 * heartbeatMs) / 1000) + this.options.requestTimeoutSeconds);
    let reader: ReturnType<ReadableStream<Uint8Array>["getReader"]>;
    try {
      reader = open().getReader();
    } catch (err) {
      hold.release();
      throw err;
    }
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            const next = await reader.read();
            if (!next.done) return controller.enqueue(next.value);
            hold.release();
            controller.close();
          } catch (err) {
            hold.release();
            controller.error(err);
          }
        },
        cancel(reason) {
          hold.release();
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Lets the request's connection stay quiet for this long (from now); back to the default with `restore`. */
  quiet(req: Request, seconds: number): void {
    this.servers.get(req)?.timeout(req, Math.min(MAX_TIMEOUT_SECONDS, Math.max(1, Math.ceil(seconds))));
  }

  /** After a long-lived reply: the keep-alive connection gets the usual idle timeout again. */
  restore(req: Request): void {
    this.quiet(req, this.options.requestTimeoutSeconds);
  }

  private check(kind: HoldKind, client: string | null): void {
    const cap = this.caps[kind];
    const open = this.open[kind];
    if (open >= cap.max) throw refusal(cap.full(cap, open, this.options.fileLimit), cap.max, open);
    const mine = client === null ? 0 : (this.byClient[kind].get(client) ?? 0);
    if (client !== null && mine >= cap.perClient) throw refusal(cap.clientFull(cap, client, mine), cap.perClient, mine);
    const { fileLimit } = this.options;
    const openFiles = this.openFilesNow();
    if (fileLimit === null || openFiles === null) return;
    const usable = fileLimit - Math.max(64, Math.floor(fileLimit / 8));
    if (openFiles < usable) return;
    const message = `the server has ${openFiles} of its ${fileLimit} file descriptors open; it takes no new ${cap.noun} so that short requests keep being answered`;
    throw refusal([message, "close idle connections and streams to the server, or raise its open-file limit (ulimit -Hn)", "open_files"], usable, openFiles);
  }

  /** Counting /proc/self/fd costs a directory read: at most one a second. */
  private openFilesNow(): number | null {
    const now = Date.now();
    if (now - this.sampled.at >= 1_000) this.sampled = { at: now, open: this.options.openFiles() };
    return this.sampled.open;
  }
}

function refusal([message, hint, cap]: Refusal, max: number, open: number): PushpalsError {
  return new PushpalsError("too_many_requests", message, { hint, details: { cap, max, open } });
}
