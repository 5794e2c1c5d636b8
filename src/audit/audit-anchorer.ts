import { isPushpalsError } from "../core/errors.ts";
import { AUDIT_REF, readAnchor, writeAnchor, type AuditAnchor } from "../scm/audit-ref.ts";
import type { AuditStore } from "../store/audit/audit-store.ts";
import { entryHash, type AuditHead } from "../store/audit/audit-chain.ts";

const PAGE = 2_000;
/** Times in a row the ref may move under one loop before it waits for the next commit. */
const MAX_LOST_RACES = 3;

export interface AnchorerOptions {
  repoRoot: string;
  store: Pick<AuditStore, "auditHead" | "auditAt" | "auditAfter">;
  log: (message: string) => void;
  now?: () => number;
  /** Least time between two anchors: a busy log is anchored a few times a second, not once per commit. */
  minIntervalMs?: number;
}

/**
 * Keeps `refs/pushpals/audit` at the audit log's head, outside the database: after each commit that
 * appended entries it writes an anchor commit on top of the last one (one at a time, coalesced). Before
 * moving the anchor it checks that the log still holds the anchored entry and that every entry since
 * links to it, so a cut or rewritten log is never anchored over: it reports the divergence and stops.
 */
export class AuditAnchorer {
  private anchored: AuditAnchor | null | undefined = undefined;
  private running: Promise<void> | null = null;
  private again = false;
  /** Why anchoring stopped (the log no longer extends its anchor); null while all is well. */
  diverged: string | null = null;

  constructor(private readonly options: AnchorerOptions) {}

  schedule(): void {
    if (this.diverged) return;
    this.again = true;
    if (!this.running) this.running = this.loop();
  }

  /** Resolves once the anchor has caught up with every entry committed before the call, anchoring stopped, or `timeoutMs` passed. */
  async flush(timeoutMs = 10_000): Promise<void> {
    this.schedule();
    const deadline = Date.now() + timeoutMs;
    while (this.running && Date.now() < deadline) await Promise.race([this.running, Bun.sleep(Math.max(1, deadline - Date.now()))]);
  }

  private async loop(): Promise<void> {
    const interval = this.options.minIntervalMs ?? 250;
    let lostRaces = 0;
    try {
      while (this.again && !this.diverged) {
        this.again = false;
        const started = Date.now();
        try {
          if ((await this.anchorOnce()) === "lost_race" && ++lostRaces > MAX_LOST_RACES) {
            this.options.log(`audit anchor not written: ${AUDIT_REF} kept moving under this server (${lostRaces} times); it tries again after the next commit`);
            return;
          }
        } catch (err) {
          if (isPushpalsError(err, "audit_broken")) {
            this.diverged = `${err.message}; nothing merges until \`pushpals audit verify\` is clean`;
            this.options.log(`audit anchor unusable: ${this.diverged}`);
            return;
          }
          // A git failure (disk full, a stale lock) is retried after the next commit; the log itself is unharmed.
          this.options.log(`audit anchor not written: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        const wait = interval - (Date.now() - started);
        if (this.again && wait > 0) await Bun.sleep(wait);
      }
    } finally {
      // Cleared here, not in a later callback: a schedule() arriving now starts a new loop instead of being lost.
      this.running = null;
    }
  }

  private async anchorOnce(): Promise<"anchored" | "lost_race" | "nothing"> {
    const { repoRoot, store, log } = this.options;
    const head = store.auditHead();
    if (!head) return "nothing";
    if (this.anchored === undefined) this.anchored = await readAnchor(repoRoot);
    const last = this.anchored;
    if (last && last.seq === head.seq && last.hash === head.hash) return "nothing";
    const problem = last ? continuity(store, last, head) : null;
    if (problem) {
      this.diverged = `${problem}; ${AUDIT_REF} stays at #${last!.seq} (run \`pushpals audit verify\`; after a deliberate reset of the database, \`git update-ref -d ${AUDIT_REF}\` lets the next start anchor the new log)`;
      log(`audit log diverged from its anchor: ${this.diverged}`);
      return "nothing";
    }
    if (!last && head.seq > 1) log(`anchoring the audit log at #${head.seq} in ${AUDIT_REF} (no anchor existed before)`);
    const at = (this.options.now ?? Date.now)();
    const commit = await writeAnchor(repoRoot, { ...head, at }, last?.commit ?? null);
    if (!commit) {
      // The ref moved under us: read it again and recheck before writing on top of it.
      this.anchored = undefined;
      this.again = true;
      return "lost_race";
    }
    this.anchored = { commit, seq: head.seq, hash: head.hash, at };
    return "anchored";
  }
}

/** Why the log from `anchor` to `head` is not an extension of the anchored one; null when it is. */
export function continuity(store: Pick<AuditStore, "auditAt" | "auditAfter">, anchor: Pick<AuditAnchor, "seq" | "hash">, head: AuditHead): string | null {
  if (head.seq < anchor.seq) return `the log ends at #${head.seq} but its anchor records #${anchor.seq}: entries were cut`;
  if (store.auditAt(anchor.seq)?.hash !== anchor.hash) return `entry #${anchor.seq} is not the one its anchor recorded: the log was rewritten`;
  let prev = anchor.hash;
  let seq = anchor.seq;
  while (seq < head.seq) {
    const page = store.auditAfter(seq, PAGE);
    if (page.length === 0) break;
    for (const entry of page) {
      if (entry.seq > head.seq) break;
      if (entry.seq !== seq + 1 || entry.prevHash !== prev || entry.hash !== entryHash(prev, entry)) return `entry #${seq + 1} does not extend the anchored log`;
      prev = entry.hash;
      seq = entry.seq;
    }
  }
  return seq === head.seq && prev === head.hash ? null : `the log's recorded head #${head.seq} does not follow from its anchor`;
}
