import type { DiffLine } from "../diff-types.ts";
import type { SourceLine } from "./secret-scan.ts";

/**
 * Base64, base64url and hex blobs of 20 characters or more in the added lines, decoded one level
 * deep. A blob that decodes to text comes back as lines to scan with the same rules; one that decodes
 * to a DER or OpenSSH private key is reported directly. Consecutive lines holding nothing but base64
 * (`base64 -w 76` output, a PEM body whose BEGIN and END lines are unchanged) are decoded as one blob.
 * Work is bounded per file: images in data URIs and lockfile hashes decode to bytes and are dropped.
 */
const BLOB = /[A-Za-z0-9+/_-]{20,}={0,2}/g;
const WRAPPED_LINE = /^[ \t"']*([A-Za-z0-9+/]{16,}={0,2})[ \t"',\\n]*$/;
const HEX = /^(?:[0-9a-fA-F]{2}){20,}$/;
// Subresource-integrity hashes (`sha512-...`, all over lockfiles) are digests: nothing to decode.
const SRI_HASH = /^(?:sha1-[A-Za-z0-9+/]{27}=|sha256-[A-Za-z0-9+/]{43}=|sha384-[A-Za-z0-9+/]{64}|sha512-[A-Za-z0-9+/]{86}==)$/;
const MAX_BLOBS = 4096;
const MAX_BLOB_CHARS = 65_536;
const MAX_TOTAL_CHARS = 262_144;
const MIN_TEXT_BYTES = 15;
// The smallest real private keys (Ed25519, P-256) run to well over 100 bytes; stubs in docs do not.
const MIN_KEY_BYTES = 100;
const OPENSSH_MAGIC = Buffer.from("openssh-key-v1\0", "latin1");

export interface DecodedBlobs {
  /** Decoded text, every line at the head line of its blob. */
  lines: SourceLine[];
  /** Head lines of blobs that decode to a private key. */
  keyLines: number[];
}

interface Blob {
  line: number;
  text: string;
}

export function decodeBlobs(lines: DiffLine[]): DecodedBlobs {
  const result: DecodedBlobs = { lines: [], keyLines: [] };
  let budget = MAX_TOTAL_CHARS;
  for (const blob of findBlobs(lines).slice(0, MAX_BLOBS)) {
    if (blob.text.length > MAX_BLOB_CHARS || blob.text.length > budget) continue;
    budget -= blob.text.length;
    decodeOne(blob, result);
  }
  return result;
}

function decodeOne(blob: Blob, into: DecodedBlobs): void {
  const hex = HEX.test(blob.text);
  const bytes = Buffer.from(blob.text, hex ? "hex" : "base64");
  if (isPrivateKeyDer(bytes)) {
    into.keyLines.push(blob.line);
    return;
  }
  if (!isText(bytes)) return;
  const via = hex ? "hex" : "base64";
  for (const text of bytes.toString("utf8").split(/\r?\n/)) into.lines.push({ line: blob.line, text, via });
}

function findBlobs(lines: DiffLine[]): Blob[] {
  const outside = outsideKeyBlocks(lines);
  const blobs: Blob[] = [];
  for (const { line, text } of outside) {
    for (const m of text.matchAll(BLOB)) if (mayBeEncoded(m[0])) blobs.push({ line, text: m[0] });
  }
  return [...wrappedBlobs(outside), ...blobs];
}

/** Lines outside added BEGIN/END blocks: a block's body is the text rules' to report, as one block. */
function outsideKeyBlocks(lines: DiffLine[]): DiffLine[] {
  let inBlock = false;
  return lines.filter(({ text }) => {
    if (text.includes("-----BEGIN ")) inBlock = !text.includes("-----END ");
    else if (text.includes("-----END ")) return (inBlock = false);
    return !inBlock && !text.includes("-----BEGIN ");
  });
}

/** Identifiers and words are not worth decoding: encoded data mixes cases and digits (or is hex). */
function mayBeEncoded(candidate: string): boolean {
  if (SRI_HASH.test(candidate)) return false;
  if (HEX.test(candidate)) return true;
  return /[a-z]/.test(candidate) && /[A-Z]/.test(candidate) && /[0-9+/]/.test(candidate);
}

/** Runs of two or more consecutive lines that are base64 and nothing else, joined. */
function wrappedBlobs(lines: DiffLine[]): Blob[] {
  const blobs: Blob[] = [];
  let run: { first: number; last: number; parts: string[] } | null = null;
  const flush = () => {
    if (run && run.parts.length > 1) blobs.push({ line: run.first, text: run.parts.join("") });
    run = null;
  };
  for (const { line, text } of lines) {
    const part = WRAPPED_LINE.exec(text)?.[1];
    if (!part) {
      flush();
      continue;
    }
    if (run && line === run.last + 1) {
      run.parts.push(part);
      run.last = line;
      continue;
    }
    flush();
    run = { first: line, last: line, parts: [part] };
  }
  flush();
  return blobs;
}

/** Printable ASCII (tabs and newlines allowed), with room for a stray byte from misaligned padding. */
function isText(bytes: Buffer): boolean {
  if (bytes.length < MIN_TEXT_BYTES) return false;
  let odd = 0;
  for (const b of bytes) if (!(b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127))) odd++;
  return odd <= bytes.length * 0.03;
}

/**
 * PKCS#1, PKCS#8 and SEC1 private keys are a DER SEQUENCE whose first element is a small version
 * INTEGER (0 or 1), then an INTEGER, a SEQUENCE or an OCTET STRING; certificates and public keys
 * start with a SEQUENCE instead. OpenSSH private keys start with their magic string.
 */
function isPrivateKeyDer(bytes: Buffer): boolean {
  if (bytes.length < MIN_KEY_BYTES) return false;
  if (bytes.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return true;
  if (bytes[0] !== 0x30) return false;
  const lengthByte = bytes[1] ?? 0;
  const offset = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  const [tag, len, version, next] = [bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3]];
  return tag === 0x02 && len === 0x01 && (version === 0 || version === 1) && (next === 0x02 || next === 0x30 || next === 0x04);
}
