import type { Socket } from "node:net";
import { z } from "zod";
import { addressClass } from "./address-class.ts";
import { formatTarget, normalizeHost, parseAuthority, type EgressTarget } from "./host-rules.ts";
import { headEnd, MAX_HEAD_BYTES } from "./request-head.ts";
import { UpstreamError } from "./upstream-connect.ts";

/**
 * The worker's own HTTP proxy (`HTTPS_PROXY` / `HTTP_PROXY`), which the egress proxy goes through to reach
 * an allowed registry instead of connecting to it directly (a machine whose traffic must pass a corporate
 * proxy). The allowlist still decides first; the upstream proxy is only the way out.
 */
export interface UpstreamProxy extends EgressTarget {
  /** The `Proxy-Authorization` value from the URL's `user:pass@`, or null. Never logged. */
  authorization: string | null;
}

export interface UpstreamProxySettings {
  /** For CONNECT (https:// registries). */
  https: UpstreamProxy | null;
  /** For absolute-form http:// requests (plain http registries), tunnelled with CONNECT too. */
  http: UpstreamProxy | null;
  noProxy: NoProxyEntry[];
}

/** One `NO_PROXY` entry: `*`, a host (and its subdomains), an IP literal, optionally `:port`. */
export interface NoProxyEntry {
  host: string;
  port: number | null;
}

export class UpstreamProxyConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = "UpstreamProxyConfigError";
  }
}

const EnvValue = z.string().trim().min(1).optional().catch(undefined);

/** The upstream proxies the worker's environment names; throws UpstreamProxyConfigError for a value it cannot use. */
export function upstreamProxySettings(env: Record<string, string | undefined>): UpstreamProxySettings {
  const pick = (lower: string, upper: string) => {
    const name = EnvValue.parse(env[lower]) !== undefined ? lower : upper;
    return { name, value: EnvValue.parse(env[name]) };
  };
  const https = pick("https_proxy", "HTTPS_PROXY");
  const http = pick("http_proxy", "HTTP_PROXY");
  const noProxy = EnvValue.parse(env.no_proxy) ?? EnvValue.parse(env.NO_PROXY) ?? "";
  return { https: parseProxyUrl(https.name, https.value), http: parseProxyUrl(http.name, http.value), noProxy: parseNoProxy(noProxy) };
}

export function parseProxyUrl(variable: string, value: string | undefined): UpstreamProxy | null {
  if (value === undefined) return null;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new UpstreamProxyConfigError(variable, `${variable} is not a proxy URL (expected http://[user:pass@]host:port)`);
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== "http:") throw new UpstreamProxyConfigError(variable, `${variable} names ${shown}: only http:// proxies are supported (the proxy is asked to CONNECT)`);
  const host = normalizeHost(url.hostname);
  if (host === null || host === "") throw new UpstreamProxyConfigError(variable, `${variable} names ${shown}, which has no valid host`);
  const port = Number(url.port) || 80;
  if (url.username === "") return { host, port, authorization: null };
  const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { host, port, authorization: `Basic ${Buffer.from(user, "utf8").toString("base64")}` };
}

export function parseNoProxy(value: string): NoProxyEntry[] {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    if (raw === "") continue;
    if (raw === "*") {
      entries.push({ host: "*", port: null });
      continue;
    }
    const entry = noProxyEntry(raw.replace(/^\*?\./, ""));
    if (entry) entries.push(entry);
  }
  return entries;
}

/** `host`, `host:port`, `[v6]:port`, or a bare IPv6 literal; null for anything else (CIDR ranges included). */
function noProxyEntry(text: string): NoProxyEntry | null {
  const bareHost = normalizeHost(text);
  if (bareHost !== null) return { host: bareHost, port: null };
  const withPort = parseAuthority(text);
  return withPort ? { host: withPort.host, port: withPort.port } : null;
}

export function bypassesProxy(noProxy: NoProxyEntry[], target: EgressTarget): boolean {
  const host = normalizeHost(target.host);
  if (host === null) return false;
  return noProxy.some((e) => {
    if (e.host === "*") return true;
    if (e.port !== null && e.port !== target.port) return false;
    return host === e.host || (addressClass(e.host) === "invalid" && host.endsWith(`.${e.host}`));
  });
}

/**
 * The upstream proxy for one request, or null to connect directly: none configured for its kind, the
 * target is in NO_PROXY, or it is this machine's loopback (which no other machine's proxy can reach).
 */
export function upstreamFor(settings: UpstreamProxySettings, target: EgressTarget, kind: "connect" | "http"): UpstreamProxy | null {
  const proxy = kind === "connect" ? settings.https : settings.http;
  if (proxy === null || isLoopback(target.host) || bypassesProxy(settings.noProxy, target)) return null;
  return proxy;
}

function isLoopback(host: string): boolean {
  const h = normalizeHost(host);
  return h === "localhost" || (h !== null && addressClass(h) === "loopback");
}

/** The CONNECT request sent to the upstream proxy. */
export function connectRequest(proxy: UpstreamProxy, target: EgressTarget): string {
  const authority = formatTarget(target);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (proxy.authorization !== null) lines.push(`Proxy-Authorization: ${proxy.authorization}`);
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/**
 * Asks the upstream proxy on `socket` for a tunnel to `target`; resolves with any bytes that came after
 * its 2xx answer, rejects with an UpstreamError (`EPROXY`, `ETIMEDOUT`) otherwise, the socket destroyed.
 */
export function openProxyTunnel(socket: Socket, proxy: UpstreamProxy, target: EgressTarget, timeoutMs: number): Promise<Buffer> {
  const shown = `the upstream proxy ${formatTarget(proxy)}`;
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    const cleanup = () => {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onClosed);
      socket.off("close", onClosed);
    };
    const fail = (err: UpstreamError) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new UpstreamError("ETIMEDOUT", `${shown} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const onClosed = () => fail(new UpstreamError("EPROXY", `${shown} closed the connection before answering CONNECT`));
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const end = headEnd(buffered.subarray(0, MAX_HEAD_BYTES));
      if (end < 0) {
        if (buffered.length >= MAX_HEAD_BYTES) fail(new UpstreamError("EPROXY", `${shown} sent an answer head larger than ${MAX_HEAD_BYTES} bytes`));
        return;
      }
      const statusLine = buffered.subarray(0, buffered.indexOf("\r\n")).toString("latin1");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
      if (!(status >= 200 && status < 300)) return fail(new UpstreamError("EPROXY", `${shown} answered CONNECT with ${printable(statusLine)}`));
      cleanup();
      socket.pause();
      resolve(buffered.subarray(end));
    };
    socket.on("data", onData);
    socket.once("end", onClosed);
    socket.once("close", onClosed);
    socket.write(connectRequest(proxy, target), "latin1");
  });
}

function printable(line: string): string {
  const clean = line.replace(/[^\x20-\x7e]/g, "?");
  return clean.length > 120 ? `${clean.slice(0, 119)}…` : clean || "an empty line";
}
