import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { PIN_HASH_ALGORITHMS, type PinHash, type PinHashAlgorithm } from "../ecosystems/common/package-manager-pin.ts";

/** A tarball that does not match what vouches for it, or that holds something other than plain files. */
export class TarballError extends Error {
  constructor(
    message: string,
    readonly reason: "integrity" | "pin_hash" | "format",
  ) {
    super(message);
    this.name = "TarballError";
  }
}

/** Every digest a pin may name, in hex: kept with a provisioned release so a later pin can be checked against it. */
export function digestsOf(bytes: Uint8Array): Record<PinHashAlgorithm, string> {
  const out = {} as Record<PinHashAlgorithm, string>;
  for (const algorithm of Object.keys(PIN_HASH_ALGORITHMS) as PinHashAlgorithm[]) out[algorithm] = createHash(algorithm).update(bytes).digest("hex");
  return out;
}

/** Strongest first: an integrity string that lists several is checked against the strongest one it has (as npm does). */
const SRI_ALGORITHMS = ["sha512", "sha384", "sha256", "sha1"] as const;

/**
 * Throws unless `bytes` match the registry's `dist.integrity` (Subresource Integrity: "sha512-<base64>",
 * several separated by spaces), or, from a registry that gives none, its `dist.shasum` (sha1 hex).
 */
export function verifyIntegrity(bytes: Uint8Array, dist: { integrity?: string; shasum?: string }, what: string): void {
  const listed = (dist.integrity ?? "").split(/\s+/).filter(Boolean).map((sri) => ({ algorithm: sri.slice(0, sri.indexOf("-")), digest: sri.slice(sri.indexOf("-") + 1).split("?")[0]! }));
  const algorithm = SRI_ALGORITHMS.find((a) => listed.some((l) => l.algorithm === a));
  if (algorithm) {
    const actual = createHash(algorithm).update(bytes).digest("base64");
    if (listed.some((l) => l.algorithm === algorithm && l.digest === actual)) return;
    throw new TarballError(`${what}'s tarball does not match the registry's integrity (${algorithm}-${actual} is not ${dist.integrity})`, "integrity");
  }
  if (dist.shasum && /^[0-9a-f]{40}$/.test(dist.shasum)) {
    const actual = createHash("sha1").update(bytes).digest("hex");
    if (actual === dist.shasum) return;
    throw new TarballError(`${what}'s tarball does not match the registry's shasum (${actual} is not ${dist.shasum})`, "integrity");
  }
  throw new TarballError(`the registry gives no integrity for ${what}, so its tarball cannot be verified`, "integrity");
}

/** True when one of `candidates` (the release's files, as bytes) hashes to the pin's hash. */
export function matchesPinHash(hash: PinHash, candidates: Uint8Array[]): boolean {
  return candidates.some((bytes) => createHash(hash.algorithm).update(bytes).digest("hex") === hash.hex);
}

const BLOCK = 512;

/**
 * Unpacks a gzipped npm tarball into `dest`, dropping its top directory ("package/"). Only directories and
 * regular files are written (mode 0755 when any execute bit is set, else 0644); a link, a device, an
 * absolute path or `..` makes the whole tarball refused. ustar names with a prefix, pax `path` records and
 * GNU long names are read.
 */
export function extractTarball(gzipped: Uint8Array, dest: string): string[] {
  let data: Buffer;
  try {
    data = gunzipSync(gzipped);
  } catch (err) {
    throw new TarballError(`the tarball is not gzip data (${(err as Error).message})`, "format");
  }
  const written: string[] = [];
  let longName: string | null = null;
  for (let offset = 0; offset + BLOCK <= data.length; ) {
    const header = data.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const size = octal(header.subarray(124, 136));
    const type = String.fromCharCode(header[156] || 48);
    const body = data.subarray(offset + BLOCK, offset + BLOCK + size);
    if (body.length < size) throw new TarballError("the tarball ends inside an entry", "format");
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "x") longName = paxPath(body) ?? longName;
    else if (type === "L") longName = cString(body);
    else if (type === "g") continue;
    else {
      const name = longName ?? ustarName(header);
      longName = null;
      const rel = entryPath(name);
      if (rel === null) continue;
      if (type === "5") mkdirSync(join(dest, rel), { recursive: true });
      else if (type === "0" || type === "7") written.push(writeEntry(dest, rel, body, octal(header.subarray(100, 108))));
      else throw new TarballError(`the tarball holds ${name}, which is not a file or a directory (type ${type})`, "format");
    }
  }
  return written;
}

function writeEntry(dest: string, rel: string, body: Uint8Array, mode: number): string {
  const path = join(dest, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  chmodSync(path, mode & 0o111 ? 0o755 : 0o644);
  return rel;
}

/** The path below the tarball's top directory; null for the top directory itself. Refuses anything that leaves `dest`. */
function entryPath(name: string): string | null {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (name.startsWith("/") || parts.includes("..") || name.includes("\0")) throw new TarballError(`the tarball holds an unsafe path: ${JSON.stringify(name)}`, "format");
  return parts.length > 1 ? parts.slice(1).join("/") : null;
}

function ustarName(header: Uint8Array): string {
  const name = cString(header.subarray(0, 100));
  const isUstar = cString(header.subarray(257, 263)).startsWith("ustar");
  const prefix = isUstar ? cString(header.subarray(345, 500)) : "";
  return prefix ? `${prefix}/${name}` : name;
}

/** pax records: "<length> <key>=<value>\n"... */
function paxPath(body: Uint8Array): string | null {
  const text = Buffer.from(body).toString("utf8");
  for (const record of text.split("\n")) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1]!;
  }
  return null;
}

function octal(field: Uint8Array): number {
  const text = cString(field).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarballError(`the tarball has a malformed header (${JSON.stringify(text)})`, "format");
  return parseInt(text, 8);
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString("utf8");
}
