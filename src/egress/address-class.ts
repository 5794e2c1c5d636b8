import { isIPv4, isIPv6 } from "node:net";

/**
 * What an IP address reaches. Only "public" is open to every rule; the rest only to a rule the user
 * marked `trustedLocal`.
 */
export type AddressClass = "public" | "loopback" | "unspecified" | "private" | "link-local" | "shared" | "multicast" | "reserved" | "invalid";

export const ADDRESS_CLASS_NAMES: Record<AddressClass, string> = {
  public: "a public address",
  loopback: "a loopback address",
  unspecified: "an unspecified address",
  private: "a private network address",
  "link-local": "a link-local address",
  shared: "a carrier-grade NAT address",
  multicast: "a multicast address",
  reserved: "a reserved address",
  invalid: "not an IP address",
};

export type ParsedIp = { family: 4; bytes: number[] } | { family: 6; groups: number[] };

/** Parses a literal IPv4 (dotted quad only) or IPv6 address (zone id ignored); null when it is neither. */
export function parseIp(text: string): ParsedIp | null {
  if (isIPv4(text)) return { family: 4, bytes: text.split(".").map(Number) };
  const bare = text.replace(/%.*$/, "");
  if (!isIPv6(bare)) return null;
  let body = bare.toLowerCase();
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body);
  if (v4?.[1]) {
    const b = v4[1].split(".").map(Number) as [number, number, number, number];
    tail.push((b[0] << 8) | b[1], (b[2] << 8) | b[3]);
    body = body.slice(0, -v4[1].length);
    if (body.endsWith(":") && !body.endsWith("::")) body = body.slice(0, -1);
  }
  const hex = (part: string) => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const halves = body.split("::");
  const head = hex(halves[0] ?? "");
  const rest = halves.length > 1 ? hex(halves[1] ?? "") : [];
  const fill = 8 - head.length - rest.length - tail.length;
  const groups = halves.length > 1 ? [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail] : [...head, ...tail];
  return groups.length === 8 ? { family: 6, groups } : null;
}

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one that a host or gateway would
 * reach: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), SIIT (::ffff:0:a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::).
 */
function embeddedIpv4(g: number[]): number[] | null {
  const word = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return word(g[6]!, g[7]!);
  if (zero(0, 6) && (g[6] !== 0 || g[7]! > 1)) return word(g[6]!, g[7]!);
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return word(g[6]!, g[7]!);
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return word(g[6]!, g[7]!);
  if (g[0] === 0x2002) return word(g[1]!, g[2]!);
  return null;
}

function ipv4Class(b: number[]): AddressClass {
  const [a = 0, c = 0] = b;
  if (a === 0) return "unspecified"; // 0.0.0.0/8: "this network", reaches the host itself on Linux
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return "private";
  if (a === 169 && c === 254) return "link-local";
  if (a === 100 && c >= 64 && c <= 127) return "shared";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved"; // 240/4 and the broadcast address
  if ((a === 192 && c === 0 && b[2] === 0) || (a === 198 && (c === 18 || c === 19))) return "reserved";
  // Documentation ranges (TEST-NET-1..3): never a registry.
  if ((a === 192 && c === 0 && b[2] === 2) || (a === 198 && c === 51 && b[2] === 100) || (a === 203 && c === 0 && b[2] === 113)) return "reserved";
  return "public";
}

function ipv6Class(g: number[]): AddressClass {
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  const v4 = embeddedIpv4(g);
  if (v4) return ipv4Class(v4);
  const first = g[0]!;
  if ((first & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((first & 0xffc0) === 0xfec0) return "private"; // fec0::/10 site-local (deprecated)
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xff00) === 0xff00) return "multicast";
  if (first === 0x64 && g[1] === 0xff9b && g[2] === 1) return "private"; // 64:ff9b:1::/48 local-use NAT64
  if (first === 0x100 && g.slice(1, 4).every((x) => x === 0)) return "reserved"; // 100::/64 discard
  if (first === 0x2001 && g[1] === 0xdb8) return "reserved"; // 2001:db8::/32 documentation
  return "public";
}

export function addressClass(address: string): AddressClass {
  const ip = parseIp(address);
  if (!ip) return "invalid";
  return ip.family === 4 ? ipv4Class(ip.bytes) : ipv6Class(ip.groups);
}

/**
 * One spelling per address, for comparing: dotted IPv4 (also for IPv4-mapped IPv6), otherwise the
 * RFC 5952 form of IPv6. Null when `address` is not an IP literal.
 */
export function canonicalAddress(address: string): string | null {
  const ip = parseIp(address);
  if (!ip) return null;
  if (ip.family === 4) return ip.bytes.join(".");
  const g = ip.groups;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join(".");
  return compressIpv6(g);
}

function compressIpv6(g: number[]): string {
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLength) [best, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (from: number, to: number) => g.slice(from, to).map((x) => x.toString(16)).join(":");
  return best < 0 ? hex(0, 8) : `${hex(0, best)}::${hex(best + bestLength, 8)}`;
}
