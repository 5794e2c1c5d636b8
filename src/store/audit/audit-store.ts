import type { AuditEntry, AuditHead } from "./audit-chain.ts";

export interface NewAuditEntry {
  at: number;
  actor: string;
  action: string;
  subject: string | null;
  data: unknown;
}

/** The hash-chained audit log: every append links the entry to the recorded head. */
export interface AuditStore {
  appendAudit(entry: NewAuditEntry): AuditEntry;
  auditAfter(seq: number, limit: number): AuditEntry[];
  auditHead(): AuditHead | null;
  auditSeqOfHash(hash: string): number | null;
  auditAt(seq: number): AuditEntry | null;
  /** How many entries the log holds, and the highest seq among them (0 when empty). */
  auditCount(): { count: number; maxSeq: number };
  /** The newest entry whose action is one of `actions`. */
  auditLatestOf(actions: readonly string[]): AuditEntry | null;
  /** Up to `limit` entries after `afterSeq` whose action is one of `actions`, oldest first (indexed by action). */
  auditOfActions(actions: readonly string[], afterSeq: number, limit: number): AuditEntry[];
  /** Every entry about `subject` whose action is one of `actions`, oldest first. */
  auditOfSubject(subject: string, actions: readonly string[]): AuditEntry[];
}
