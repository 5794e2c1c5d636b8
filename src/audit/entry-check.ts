import type { AuditStore } from "../store/audit/audit-store.ts";
import { entryHash, GENESIS_HASH, type AuditEntry } from "../store/audit/audit-chain.ts";

/**
 * Whether one entry is what the chain says: its content hashes to its hash and it links to the entry
 * before it. State that is derived from audit entries (approvals, the pause switch) trusts only these;
 * forging one means rewriting the chain from there on, which `audit verify` and the anchor catch.
 */
export function entryIntact(store: Pick<AuditStore, "auditAt">, entry: AuditEntry): boolean {
  if (entry.hash !== entryHash(entry.prevHash, entry)) return false;
  // The entry after it must link to it too: an entry re-hashed in place breaks that link.
  const next = store.auditAt(entry.seq + 1);
  if (next && next.prevHash !== entry.hash) return false;
  if (entry.seq === 1) return entry.prevHash === GENESIS_HASH;
  return store.auditAt(entry.seq - 1)?.hash === entry.prevHash;
}

/**
 * Whether any entry is missing: the log holds as many entries as its recorded head says, numbered from 1.
 * Deleting an entry (a rejection, a pause) would otherwise leave the replay of the rest consistent.
 */
export function entriesMissing(store: Pick<AuditStore, "auditHead" | "auditCount">): string | null {
  const head = store.auditHead();
  const { count, maxSeq } = store.auditCount();
  if ((head?.seq ?? 0) === count && maxSeq === count) return null;
  return `the audit log holds ${count} entries numbered up to #${maxSeq}, but its head is #${head?.seq ?? 0}: entries were deleted (run \`pushpals audit verify\`)`;
}
