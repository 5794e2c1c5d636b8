import { isPushpalsError } from "../core/errors.ts";
import { AUDIT_REF, readAnchor, readAnchorHistory, type AuditAnchor } from "../scm/audit-ref.ts";
import type { Store } from "../store/store.ts";
import { verifyAudit } from "./audit-log.ts";
import type { AuditProblem, AuditVerdict } from "./chain.ts";

/**
 * `audit verify`: the hash chain inside the database, then the database against its anchor outside it
 * (`refs/pushpals/audit`). A log cut at its tail, or rewritten with every later hash and the stored
 * head recomputed, passes the first check but not the second, which names the last entry that still
 * matches an anchor. Entries newer than the anchor are normal (it follows the log a moment later).
 */
export async function verifyAnchoredAudit(store: Store, repoRoot: string): Promise<AuditVerdict> {
  const chain = verifyAudit(store);
  let tip: AuditAnchor | null;
  try {
    tip = await readAnchor(repoRoot);
  } catch (err) {
    if (!isPushpalsError(err, "audit_broken")) throw err;
    return fail({ ...chain, anchor: null }, 1, "anchor_broken", err.message, 0);
  }
  if (!tip) {
    if (chain.entries === 0) return { ...chain, anchor: null };
    return fail({ ...chain, anchor: null }, 1, "unanchored", `no anchor (${AUDIT_REF}) exists for this log of ${chain.entries} entries, so a cut or rewritten log cannot be told apart; the server anchors it when it starts (pushpals start)`, 0);
  }
  const anchor = { commit: tip.commit, seq: tip.seq, hash: tip.hash, at: tip.at };
  // A break inside the chain is named exactly by the chain itself.
  if (!chain.ok || store.auditAt(tip.seq)?.hash === tip.hash) return { ...chain, anchor };
  const history = await readAnchorHistory(repoRoot);
  const matching = history.find((a) => store.auditAt(a.seq)?.hash === a.hash) ?? null;
  const lastMatching = matching?.seq ?? 0;
  const since = matching ? ` (anchored ${new Date(matching.at).toISOString()})` : "";
  const present = store.auditAt(tip.seq) !== null;
  if (!present) {
    const lastSeq = lastEntrySeq(store, tip.seq);
    return fail(
      { ...chain, anchor },
      lastSeq + 1,
      "truncated",
      `entries #${lastSeq + 1}..#${tip.seq} are missing: the log ends at #${lastSeq} but its anchor ${tip.commit.slice(0, 12)} records #${tip.seq}; the last entry that matches an anchor is #${lastMatching}${since}`,
      lastMatching,
    );
  }
  const firstWrong = [...history].reverse().find((a) => a.seq > lastMatching) ?? tip;
  return fail(
    { ...chain, anchor },
    lastMatching + 1,
    "rewritten",
    `the log was rewritten: entry #${firstWrong.seq} is not the one anchored in ${firstWrong.commit.slice(0, 12)}; the last entry that matches an anchor is #${lastMatching}${since}, so the rewrite starts between #${lastMatching + 1} and #${firstWrong.seq}`,
    lastMatching,
  );
}

/** The highest seq at or below `below` that the log still holds (0 when none): entries run from #1 without gaps. */
function lastEntrySeq(store: Store, below: number): number {
  let low = 0;
  let high = below;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (store.auditAt(mid) !== null) low = mid;
    else high = mid - 1;
  }
  return low;
}

function fail(base: Omit<AuditVerdict, "ok" | "firstBad">, seq: number, problem: AuditProblem, message: string, lastMatching: number): AuditVerdict {
  return { ...base, ok: false, firstBad: { seq, problem, message }, lastMatching };
}
