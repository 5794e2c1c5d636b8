import { parseAuthority, formatTarget, type EgressTarget } from "./host-rules.ts";

export const MAX_HEAD_BYTES = 16 * 1024;

export type RequestHead =
  | { kind: "connect"; target: EgressTarget }
  | { kind: "http"; target: EgressTarget; method: string; path: string; version: string; headers: [string, string][] }
  | { kind: "bad"; reason: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VERSION = /^HTTP\/1\.[01]$/;
// Request targets and header values: visible ASCII and (in values) spaces/tabs and obs-text; no controls.
const TARGET_CHARS = /^[\x21-\x7e]+$/;
const VALUE_CHARS = /^[\t\x20-\x7e\x80-\xff]*$/;
const HOP_BY_HOP = new Set(["connection", "proxy-connection", "proxy-authorization", "keep-alive", "te", "upgrade"]);

/** Where the head ends (the index just past `\r\n\r\n`), -1 while it has not ended. */
export function headEnd(buffer: Buffer): number {
  const at = buffer.indexOf("\r\n\r\n", 0, "latin1");
  return at < 0 ? -1 : at + 4;
}

/** Parses a proxy request head (latin1, without the final blank line). */
export function parseRequestHead(head: string): RequestHead {
  const lines = head.split("\r\n");
  const parts = (lines[0] ?? "").split(" ");
  if (parts.length !== 3) return { kind: "bad", reason: "the request line is malformed" };
  const [method = "", target = "", version = ""] = parts;
  if (!TOKEN.test(method) || !VERSION.test(version) || !TARGET_CHARS.test(target)) return { kind: "bad", reason: "the request line is malformed" };
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (colon <= 0 || !TOKEN.test(name) || !VALUE_CHARS.test(value)) return { kind: "bad", reason: "a header line is malformed" };
    headers.push([name, value]);
  }
  if (method === "CONNECT") {
    const to = parseAuthority(target);
    return to ? { kind: "connect", target: to } : { kind: "bad", reason: "CONNECT needs a host:port target" };
  }
  const scheme = /^http:\/\//i.exec(target);
  if (!scheme) return { kind: "bad", reason: "only CONNECT and absolute http:// requests are proxied" };
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (authority.includes("@")) return { kind: "bad", reason: "credentials in the request URL are not proxied" };
  const to = parseAuthority(authority, 80);
  if (!to) return { kind: "bad", reason: "the request URL has no valid host" };
  let path = (end < 0 ? "" : rest.slice(end)).replace(/#.*$/, "");
  if (!path.startsWith("/")) path = `/${path}`;
  return { kind: "http", target: to, method, path, version, headers };
}

/**
 * The head sent to the origin server: origin-form request line, Host from the request URL (RFC 9112
 * §3.2.2), hop-by-hop and proxy headers dropped, one request per connection.
 */
export function originHead(req: Extract<RequestHead, { kind: "http" }>): string {
  const named = new Set<string>();
  for (const [name, value] of req.headers) {
    if (name.toLowerCase() === "connection") for (const token of value.split(",")) named.add(token.trim().toLowerCase());
  }
  const kept = req.headers.filter(([name]) => {
    const lower = name.toLowerCase();
    return lower !== "host" && !HOP_BY_HOP.has(lower) && !named.has(lower);
  });
  const host = req.target.port === 80 ? formatTarget(req.target).replace(/:80$/, "") : formatTarget(req.target);
  const lines = [`${req.method} ${req.path} ${req.version}`, `Host: ${host}`, ...kept.map(([n, v]) => `${n}: ${v}`), "Connection: close"];
  return `${lines.join("\r\n")}\r\n\r\n`;
}
