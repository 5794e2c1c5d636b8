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
}
