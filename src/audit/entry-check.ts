import type { AuditStore } from "../store/audit/audit-store.ts";
import { entryHash, GENESIS_HASH, type AuditEntry } from "../store/audit/audit-chain.ts";

/**
 * Whether one entry is what the chain says: its content hashes to its hash and it links to the entry
 * before it. State that is derived from audit entries (approvals, the pause switch) trusts only these;
 * forging one means rewriting the chain from there on, which `audit verify` and the anchor catch.
 */
export function entryIntact(store: Pick<AuditStore, "auditAt">, entry: AuditEntry): boolean {
  if (entry.hash !== entryHash(entry.prevHash, entry)) return false;
  if (entry.seq === 1) return entry.prevHash === GENESIS_HASH;
  return store.auditAt(entry.seq - 1)?.hash === entry.prevHash;
}
