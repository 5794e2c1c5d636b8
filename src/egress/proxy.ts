import { chmodSync, lstatSync, rmSync } from "node:fs";
import { lookup as dnsLookup } from "node:dns/promises";
import { createServer, type Socket } from "node:net";
import { PushpalsError } from "../core/errors.ts";
import { serveClient } from "./client-connection.ts";
import { checkTarget, machineAddresses, prepareDeny, type Lookup } from "./egress-check.ts";
import type { EgressRule, EgressTarget } from "./host-rules.ts";
import { upstreamFor, type UpstreamProxySettings } from "./upstream-proxy.ts";

export type { EgressRule, EgressTarget } from "./host-rules.ts";

export interface EgressDecision {
  host: string;
  port: number;
  allowed: boolean;
  /** Refused by policy (403), or allowed but unreachable: not resolved (502). */
  status: 200 | 403 | 502;
  reason: string;
  at: number;
}

export interface EgressProxy {
  socketPath: string;
  decisions(): EgressDecision[];
  /** What the policy refused (403s). */
  denied(): EgressDecision[];
  /** client and upstream sockets open right now */
  openSockets(): number;
  close(): Promise<void>;
}

export interface EgressProxyOptions {
  socketPath: string;
  rules: EgressRule[];
  /** host:port pairs never reachable whatever the rules say (the control plane's loopback TCP listener) */
  deny?: EgressTarget[];
  /** resolving the host, and connecting to it, each within this; default 10 s */
  connectTimeoutMs?: number;
  /** a client must send its request head within it; default 30 s */
  headTimeoutMs?: number;
  /** the worker's own HTTP proxy (`upstreamProxySettings`): allowed registries are reached through it */
  upstream?: UpstreamProxySettings;
}

const MAX_DECISIONS = 1000;
const MAX_CONNECTIONS = 512;

/**
 * The host side of sandbox egress: an HTTP proxy on a Unix socket (mode 0600) that lets a sandboxed
 * install reach the configured registries and nothing else. See egress-check.ts for the rules.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const lookup = withTimeout(systemLookup, connectTimeoutMs);
  const policy = { rules: [...options.rules], deny: await prepareDeny(options.deny ?? [], lookup), ownAddresses: machineAddresses };
  const log: EgressDecision[] = [];
  const open = new Set<Socket>();
  const track = (s: Socket) => {
    open.add(s);
    s.once("close", () => open.delete(s));
  };
  const ctx = {
    connectTimeoutMs,
    headTimeoutMs: options.headTimeoutMs ?? 30_000,
    track,
    async check(target: EgressTarget, kind: "connect" | "http") {
      const via = options.upstream ? upstreamFor(options.upstream, target, kind) : null;
      const outcome = await checkTarget(target, policy, lookup, via);
      log.push({ host: target.host, port: target.port, allowed: outcome.allowed, status: outcome.allowed ? 200 : outcome.status, reason: outcome.reason, at: Date.now() });
      if (log.length > MAX_DECISIONS) log.splice(0, log.length - MAX_DECISIONS);
      return outcome;
    },
  };

  const server = createServer({ allowHalfOpen: true }, (client) => {
    track(client);
    serveClient(client, ctx);
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.on("error", () => {});
  removeStaleSocket(options.socketPath);
  await new Promise<void>((resolve, reject) => {
    const failed = (err: Error) => reject(new PushpalsError("component_failed", `the egress proxy could not listen on ${options.socketPath}: ${err.message}`, { cause: err }));
    server.once("error", failed);
    server.listen(options.socketPath, () => {
      server.off("error", failed);
      resolve();
    });
  });
  try {
    chmodSync(options.socketPath, 0o600);
  } catch (err) {
    server.close();
    rmSync(options.socketPath, { force: true });
    throw new PushpalsError("component_failed", `the egress proxy could not restrict ${options.socketPath} to its owner: ${(err as Error).message}`, { cause: err });
  }

  let closing: Promise<void> | undefined;
  return {
    socketPath: options.socketPath,
    decisions: () => [...log],
    denied: () => log.filter((d) => d.status === 403),
    openSockets: () => open.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }).then(() => rmSync(options.socketPath, { force: true }));
      return closing;
    },
  };
}

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

function withTimeout(lookup: Lookup, ms: number): Lookup {
  return (host) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(Object.assign(new Error(`no DNS answer within ${ms} ms`), { code: "ETIMEDOUT" })), ms);
      lookup(host).then(resolve, reject).finally(() => clearTimeout(timer));
    });
}

/** A socket file left by a crashed proxy is removed; anything else in the way is an error, never deleted. */
function removeStaleSocket(path: string): void {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isSocket()) throw new PushpalsError("conflict", `${path} exists and is not a socket`, { hint: `move it out of the way: mv ${path} ${path}.bak` });
  rmSync(path);
}
