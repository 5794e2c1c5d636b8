import { z } from "zod";

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

export const AuditProblem = z.enum(["edited", "deleted", "reordered", "truncated"]);
export type AuditProblem = z.infer<typeof AuditProblem>;

export const AuditVerdict = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  /** The first entry that does not check out, and what is wrong with it. */
  firstBad: z.object({ seq: z.number().int(), problem: AuditProblem, message: z.string() }).optional(),
});
export type AuditVerdict = z.infer<typeof AuditVerdict>;

export interface AuditHead {
  seq: number;
  hash: string;
}

export interface VerifyOptions {
  /** The last seq/hash the writer recorded; catches a deleted tail. */
  head: AuditHead | null;
  /** Finds the entry that has this hash, to tell a moved entry from a deleted one. */
  seqOfHash: (hash: string) => number | null;
}

/** Walks entries in stored order (pages from the store) and names the first one that was edited, deleted or reordered. */
export function verifyChain(pages: Iterable<AuditEntry[]>, options: VerifyOptions): AuditVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const page of pages) {
    for (const entry of page) {
      count++;
      const done = { entries: count, headSeq: expectedSeq - 1, headHash: prevHash };
      if (entry.seq > expectedSeq) {
        return bad(done, expectedSeq, "deleted", `entry #${expectedSeq} is missing (deleted): the log jumps from #${expectedSeq - 1} to #${entry.seq}`);
      }
      if (entry.hash !== entryHash(entry.prevHash, entry)) {
        return bad(done, entry.seq, "edited", `entry #${entry.seq} (${entry.action}) was edited: its content does not match its hash`);
      }
      if (entry.prevHash !== prevHash) {
        const predecessor = options.seqOfHash(entry.prevHash);
        if (predecessor !== null && predecessor > entry.seq) {
          return bad(done, entry.seq, "reordered", `entry #${entry.seq} (${entry.action}) is out of order: it was written after entry #${predecessor}`);
        }
        return bad(
          done,
          entry.seq,
          "deleted",
          `entry #${entry.seq} (${entry.action}) does not follow entry #${entry.seq - 1}: an entry between them was deleted, or #${entry.seq - 1} was replaced`,
        );
      }
      prevHash = entry.hash;
      expectedSeq++;
    }
  }
  const lastSeq = expectedSeq - 1;
  const done = { entries: count, headSeq: lastSeq, headHash: prevHash };
  if (options.head && options.head.seq > lastSeq) {
    return bad(done, lastSeq + 1, "truncated", `entries #${lastSeq + 1}..#${options.head.seq} are missing (the end of the log was deleted)`);
  }
  if (options.head && (options.head.seq !== lastSeq || options.head.hash !== prevHash)) {
    return bad(done, lastSeq, "edited", `entry #${lastSeq} does not match the recorded head of the log (#${options.head.seq})`);
  }
  return { ok: true, ...done };
}

function bad(done: Omit<AuditVerdict, "ok">, seq: number, problem: AuditProblem, message: string): AuditVerdict {
  return { ok: false, ...done, firstBad: { seq, problem, message } };
}
