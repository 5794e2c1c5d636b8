import type { Store } from "../store/store.ts";
import { verifyChain, type AuditVerdict } from "./chain.ts";
import type { AuditEntry } from "../store/audit/audit-chain.ts";

const PAGE = 2_000;

/** Pages through the whole audit log in order, without loading it all at once. */
export function* auditPages(store: Store): Generator<AuditEntry[]> {
  let after = 0;
  for (;;) {
    const page = store.auditAfter(after, PAGE);
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1]!.seq;
  }
}

export function verifyAudit(store: Store): AuditVerdict {
  return verifyChain(auditPages(store), { head: store.auditHead(), seqOfHash: (hash) => store.auditSeqOfHash(hash) });
}

/** JSONL, one entry per line, in chain order: enough to re-verify the chain elsewhere. */
export function* exportAuditJsonl(store: Store): Generator<string> {
  for (const page of auditPages(store)) {
    yield page.map((entry) => `${JSON.stringify(entry)}\n`).join("");
  }
}
