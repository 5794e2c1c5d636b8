import { AUDIT_REF, readAnchor, writeAnchor, type AuditAnchor } from "../scm/audit-ref.ts";
import type { AuditStore } from "../store/audit/audit-store.ts";
import { entryHash, type AuditHead } from "../store/audit/audit-chain.ts";

const PAGE = 2_000;

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
    if (!this.running) this.running = this.loop().finally(() => (this.running = null));
  }

  /** Resolves once the anchor has caught up with every entry committed before the call (or anchoring stopped). */
  async flush(): Promise<void> {
    this.schedule();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    const interval = this.options.minIntervalMs ?? 250;
    while (this.again && !this.diverged) {
      this.again = false;
      const started = Date.now();
      try {
        await this.anchorOnce();
      } catch (err) {
        // A git failure (disk full...) is retried on the next commit; the log itself is unharmed.
        this.options.log(`audit anchor not written: ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      const wait = interval - (Date.now() - started);
      if (this.again && wait > 0) await Bun.sleep(wait);
    }
  }

  private async anchorOnce(): Promise<void> {
    const { repoRoot, store, log } = this.options;
    const head = store.auditHead();
    if (!head) return;
    if (this.anchored === undefined) this.anchored = await readAnchor(repoRoot);
    const last = this.anchored;
    if (last && last.seq === head.seq && last.hash === head.hash) return;
    const problem = last ? continuity(store, last, head) : null;
    if (problem) {
      this.diverged = `${problem}; ${AUDIT_REF} stays at #${last!.seq} (run \`pushpals audit verify\`)`;
      log(`audit log diverged from its anchor: ${this.diverged}`);
      return;
    }
    if (!last && head.seq > 1) log(`anchoring the audit log at #${head.seq} in ${AUDIT_REF} (no anchor existed before)`);
    const at = (this.options.now ?? Date.now)();
    const commit = await writeAnchor(repoRoot, { ...head, at }, last?.commit ?? null);
    if (!commit) {
      // The ref moved under us: read it again and recheck before writing on top of it.
      this.anchored = undefined;
      this.again = true;
      return;
    }
    this.anchored = { commit, seq: head.seq, hash: head.hash, at };
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
