import { networkInterfaces } from "node:os";
import { ADDRESS_CLASS_NAMES, addressClass, canonicalAddress } from "./address-class.ts";
import { formatTarget, normalizeHost, sameTarget, type EgressRule, type EgressTarget } from "./host-rules.ts";
import type { UpstreamProxy } from "./upstream-proxy.ts";

/** Resolves a host name to every address it has (an IP literal to itself). */
export type Lookup = (host: string) => Promise<string[]>;

/** A `deny` entry with the addresses it stands for, resolved once when the proxy starts. */
export interface DenyEntry extends EgressTarget {
  addresses: Set<string>;
  /** it names a listener on this machine: any of the machine's own addresses reaches it */
  local: boolean;
}

export interface EgressPolicy {
  rules: EgressRule[];
  deny: DenyEntry[];
  /** the machine's own addresses (canonical), asked per check since interfaces come and go */
  ownAddresses?: () => Set<string>;
}

export type CheckOutcome =
  /** `via`: connect to `addresses` of that upstream proxy and tunnel to the target through it. */
  | { allowed: true; target: EgressTarget; addresses: string[]; reason: string; via?: UpstreamProxy }
  | { allowed: false; target: EgressTarget; status: 403 | 502; reason: string };

const LOCAL_CLASSES = new Set(["loopback", "unspecified"]);

export async function prepareDeny(deny: EgressTarget[], lookup: Lookup): Promise<DenyEntry[]> {
  return Promise.all(
    deny.map(async (d) => {
      const host = normalizeHost(d.host) ?? d.host.toLowerCase();
      const literal = canonicalAddress(host);
      const resolved = literal !== null ? [literal] : await lookup(host).catch(() => [] as string[]);
      const addresses = new Set(resolved.map((a) => canonicalAddress(a)).filter((a): a is string => a !== null));
      const local = [...addresses].some((a) => LOCAL_CLASSES.has(addressClass(a)));
      return { host, port: d.port, addresses, local };
    }),
  );
}

export function machineAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      const a = canonicalAddress(info.address);
      if (a !== null) out.add(a);
    }
  }
  return out;
}

/**
 * The security boundary: may a sandboxed install reach `target`, and at which addresses. The caller
 * connects to the returned addresses, never to the name again, so a second DNS answer cannot differ
 * from the one checked here. Through an upstream proxy (`via`) the target's name is never resolved here:
 * the allowlist decides, and the connection goes to the user's own proxy, whatever its address.
 */
export async function checkTarget(target: EgressTarget, policy: EgressPolicy, lookup: Lookup, via: UpstreamProxy | null = null): Promise<CheckOutcome> {
  const shown = formatTarget(target);
  const refuse = (reason: string, status: 403 | 502 = 403): CheckOutcome => ({ allowed: false, target, status, reason });
  if (policy.deny.some((d) => sameTarget(d, target))) return refuse(`${shown} is never reachable from the sandbox`);
  const matching = policy.rules.filter((r) => sameTarget(r, target));
  if (matching.length === 0) return refuse(`${shown} is not an allowed registry host`);
  const trustedLocal = matching.some((r) => r.trustedLocal === true);
  if (via) return throughProxy(target, via, lookup);

  let resolved: string[];
  try {
    resolved = await lookup(target.host);
  } catch (err) {
    return refuse(`${shown} could not be resolved (${errorCode(err)})`, 502);
  }
  if (resolved.length === 0) return refuse(`${shown} could not be resolved (no address)`, 502);

  const own = policy.ownAddresses?.() ?? new Set<string>();
  const addresses: string[] = [];
  for (const address of resolved) {
    const canonical = canonicalAddress(address);
    const kind = addressClass(address);
    if (canonical === null || kind === "invalid") return refuse(`${shown} resolves to ${JSON.stringify(address)}, which is not an IP address`);
    const isOwn = LOCAL_CLASSES.has(kind) || own.has(canonical);
    if (policy.deny.some((d) => d.port === target.port && (d.addresses.has(canonical) || (d.local && isOwn)))) {
      return refuse(`${shown} resolves to ${canonical}, and ${formatTarget({ host: canonical, port: target.port })} is never reachable from the sandbox`);
    }
    if (kind !== "public" && !trustedLocal) {
      return refuse(`${shown} resolves to ${canonical}, ${ADDRESS_CLASS_NAMES[kind]}, which the sandbox may not reach unless this host is configured as a trusted local registry`);
    }
    // A public address of this very machine reaches every service bound to all interfaces.
    if (own.has(canonical) && !trustedLocal) {
      return refuse(`${shown} resolves to ${canonical}, an address of this machine, which the sandbox may not reach unless this host is configured as a trusted local registry`);
    }
    addresses.push(canonical);
  }
  return { allowed: true, target, addresses, reason: `${shown} is an allowed registry host (${addresses.join(", ")})` };
}

async function throughProxy(target: EgressTarget, via: UpstreamProxy, lookup: Lookup): Promise<CheckOutcome> {
  const shown = `the upstream proxy ${formatTarget(via)}`;
  let addresses: string[];
  try {
    addresses = await lookup(via.host);
  } catch (err) {
    return { allowed: false, target, status: 502, reason: `${shown} could not be resolved (${errorCode(err)})` };
  }
  if (addresses.length === 0) return { allowed: false, target, status: 502, reason: `${shown} could not be resolved (no address)` };
  return { allowed: true, target, addresses, via, reason: `${formatTarget(target)} is an allowed registry host (through ${shown})` };
}

export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return err instanceof Error ? err.message : String(err);
}
