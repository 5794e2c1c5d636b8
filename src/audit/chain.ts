import { z } from "zod";
import { entryHash, GENESIS_HASH, type AuditEntry, type AuditHead } from "../store/audit/audit-chain.ts";

export const AuditProblem = z.enum(["edited", "deleted", "reordered", "truncated", "rewritten", "unanchored", "anchor_broken"]);
export type AuditProblem = z.infer<typeof AuditProblem>;

export const AuditVerdict = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  headSeq: z.number().int(),
  headHash: z.string(),
  /** The first entry that does not check out, and what is wrong with it. */
  firstBad: z.object({ seq: z.number().int(), problem: AuditProblem, message: z.string() }).optional(),
  /** The anchor outside the database (`refs/pushpals/audit`) the log was checked against; absent when not checked. */
  anchor: z.object({ commit: z.string(), seq: z.number().int(), hash: z.string(), at: z.number().int() }).nullable().optional(),
  /** When the log and its anchors disagree: the last entry that still matches an anchor (0: none does). */
  lastMatching: z.number().int().optional(),
});
export type AuditVerdict = z.infer<typeof AuditVerdict>;

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
