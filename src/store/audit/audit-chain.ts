import { z } from "zod";

/** The audit log's entries and the hash chain that links them; the store extends the chain on every append. */
export const GENESIS_HASH = "0".repeat(64);

export const AuditEntry = z.object({
  seq: z.number().int().positive(),
  at: z.number().int(),
  actor: z.string(),
  action: z.string(),
  subject: z.string().nullable(),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface AuditContent {
  seq: number;
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  data: unknown;
}

/** Canonical JSON: object keys sorted at every level, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).sort();
  const parts = keys
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${parts.join(",")}}`;
}

/**
 * The hash covers the previous hash and every field of the entry. Order is protected by the links
 * (each entry commits to its predecessor), so a moved entry shows as a broken link, not an edit.
 */
export function entryHash(prevHash: string, content: AuditContent): string {
  const hasher = new Bun.CryptoHasher("sha256");
  hasher.update(prevHash);
  hasher.update("\n");
  hasher.update(
    canonicalJson({ at: content.at, actor: content.actor, action: content.action, subject: content.subject, data: content.data }),
  );
  return hasher.digest("hex");
}

/** The last entry the writer appended (kept apart from the log, so a deleted tail shows). */
export interface AuditHead {
  seq: number;
  hash: string;
}
