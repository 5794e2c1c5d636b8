import { isIPv6 } from "node:net";
import { canonicalAddress } from "./address-class.ts";

export interface EgressTarget {
  host: string;
  port: number;
}

export interface EgressRule extends EgressTarget {
  /** the user configured exactly this host:port (e.g. a registry on localhost): its address may be loopback/private */
  trustedLocal?: boolean;
}

const NAME = /^[a-z0-9_](?:[a-z0-9_.-]{0,252})$/;

/**
 * The host as rules compare it: lower case, no brackets around an IPv6 literal, no trailing dot, an IP
 * literal in one canonical spelling. Null when it is neither a plausible DNS name nor an IP literal.
 */
export function normalizeHost(host: string): string | null {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) return isIPv6(h.slice(1, -1)) ? canonicalAddress(h.slice(1, -1)) : null;
  if (h.endsWith(".")) h = h.slice(0, -1);
  const ip = canonicalAddress(h);
  if (ip !== null) return ip;
  if (h.includes(":") || h.includes("%")) return null;
  return NAME.test(h) && !h.includes("..") ? h : null;
}

function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * `host:port` or `[v6]:port` as in a CONNECT request or a URL's authority. An IPv6 literal must be in
 * brackets; the port may be left out only when `defaultPort` is given.
 */
export function parseAuthority(authority: string, defaultPort?: number): EgressTarget | null {
  let hostText: string;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close < 0) return null;
    hostText = authority.slice(0, close + 1);
    const after = authority.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return null;
    portText = after === "" ? undefined : after.slice(1);
  } else {
    const colon = authority.lastIndexOf(":");
    if (authority.indexOf(":") !== colon) return null;
    hostText = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
  }
  const host = normalizeHost(hostText);
  if (host === null || host === "") return null;
  const port = portText === undefined ? (defaultPort ?? null) : parsePort(portText);
  return port === null ? null : { host, port };
}

export function sameTarget(a: EgressTarget, b: EgressTarget): boolean {
  return a.port === b.port && normalizeHost(a.host) === normalizeHost(b.host);
}

/** `host:port`, bracketing an IPv6 literal. */
export function formatTarget(t: EgressTarget): string {
  return t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}
