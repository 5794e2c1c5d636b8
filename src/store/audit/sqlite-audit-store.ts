import type { SqliteConnection } from "../sqlite-connection.ts";
import { parse, type Row } from "../sqlite-rows.ts";
import { entryHash, GENESIS_HASH, type AuditEntry, type AuditHead } from "./audit-chain.ts";
import type { AuditStore, NewAuditEntry } from "./audit-store.ts";

function toAudit(row: Row): AuditEntry {
  return {
    seq: row.seq as number,
    at: row.at as number,
    actor: row.actor as string,
    action: row.action as string,
    subject: (row.subject as string | null) ?? null,
    data: parse(row.data),
    prevHash: row.prev_hash as string,
    hash: row.hash as string,
  };
}

export function sqliteAuditStore(sqlite: SqliteConnection): AuditStore {
  const auditHead = (): AuditHead | null => {
    const row = sqlite.q("SELECT value FROM meta WHERE key = 'audit_head'").get() as { value: string } | null;
    return row ? (JSON.parse(row.value) as AuditHead) : null;
  };

  return {
    appendAudit(entry: NewAuditEntry): AuditEntry {
      // Chain from the recorded head, not from whatever row is last: if someone deleted the tail, the
      // next entry keeps the gap (and `verify` keeps reporting it) instead of papering over it.
      const last = auditHead() ?? (sqlite.q("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").get() as AuditHead | null);
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      const data = entry.data ?? null;
      const content = { seq, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, data };
      const hash = entryHash(prevHash, content);
      sqlite
        .q("INSERT INTO audit (seq, at, actor, action, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .run(seq, entry.at, entry.actor, entry.action, entry.subject, JSON.stringify(data), prevHash, hash);
      sqlite
        .q("INSERT INTO meta (key, value) VALUES ('audit_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(JSON.stringify({ seq, hash }));
      return { ...content, prevHash, hash };
    },

    auditAfter(seq: number, limit: number): AuditEntry[] {
      return (sqlite.q("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?").all(seq, limit) as Row[]).map(toAudit);
    },

    auditHead,

    auditCount(): { count: number; maxSeq: number } {
      const row = sqlite.q("SELECT count(*) AS n, coalesce(max(seq), 0) AS m FROM audit").get() as { n: number; m: number };
      return { count: row.n, maxSeq: row.m };
    },

    auditAt(seq: number): AuditEntry | null {
      const row = sqlite.q("SELECT * FROM audit WHERE seq = ?").get(seq) as Row | null;
      return row ? toAudit(row) : null;
    },

    auditLatestOf(actions: readonly string[]): AuditEntry | null {
      // One indexed probe per action (audit_action), then the newest of those.
      let latest: AuditEntry | null = null;
      for (const action of actions) {
        const row = sqlite.q("SELECT * FROM audit WHERE action = ? ORDER BY seq DESC LIMIT 1").get(action) as Row | null;
        if (row && (!latest || (row.seq as number) > latest.seq)) latest = toAudit(row);
      }
      return latest;
    },

    auditOfActions(actions: readonly string[], afterSeq: number, limit: number): AuditEntry[] {
      return (
        sqlite.q("SELECT * FROM audit WHERE action IN (SELECT value FROM json_each(?)) AND seq > ? ORDER BY seq LIMIT ?").all(JSON.stringify(actions), afterSeq, limit) as Row[]
      ).map(toAudit);
    },

    auditOfSubject(subject: string, actions: readonly string[]): AuditEntry[] {
      const wanted = new Set(actions);
      return (sqlite.q("SELECT * FROM audit WHERE subject = ? ORDER BY seq").all(subject) as Row[]).map(toAudit).filter((e) => wanted.has(e.action));
    },

    auditSeqOfHash(hash: string): number | null {
      const row = sqlite.q("SELECT seq FROM audit WHERE hash = ? LIMIT 1").get(hash) as { seq: number } | null;
      return row?.seq ?? null;
    },
  };
}
