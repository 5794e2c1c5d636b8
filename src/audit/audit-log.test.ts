import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { JobService } from "../jobs/job-service.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { exportAuditJsonl, verifyAudit } from "./audit-log.ts";
import { verifyChain } from "./chain.ts";
import { entryHash, GENESIS_HASH, type AuditEntry } from "../store/audit/audit-chain.ts";
import { parseJobInput } from "../kinds/registry.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let service: JobService;
let now: number;
/** How many audit entries the real job lifecycle below wrote. */
let total: number;

const WORKER = "wrk_audit0001";

beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  now = 1_700_000_000_000;
  service = new JobService(store, new Bus<PushpalsEvent>(), { parseInput: parseJobInput, leaseMs: 1_000, now: () => now++, random: () => 0.5 });
  // A real history: a worker, jobs created, claimed, completed, failed, cancelled, commands recorded.
  service.registerWorker({ id: WORKER, name: "audit test", kinds: ["noop"], pid: 123 });
  const jobs = Array.from({ length: 5 }, (_, i) => service.enqueue({ kind: "noop", input: { logLines: i }, priority: i, actor: "cli:alice" }).job);
  for (let i = 0; i < 3; i++) {
    const claim = service.claim(WORKER, ["noop"])!;
    const ref = { jobId: claim.job.id, workerId: WORKER, token: claim.token };
    service.recordCommand(ref, { command: `deploy --token=hunter2 --password=hunter2 https://ci:hunter2@example.com/${i}`, exitCode: 0, durationMs: 5 });
    if (i === 1) service.fail(ref, { class: "checks_failed", message: "1 test failed", evidence: { exitCode: 1 } });
    else service.complete(ref, { ok: true, n: i });
  }
  service.cancel(jobs[0]!.id, "cli:bob", "not needed");
  total = (store.db.query("SELECT count(*) AS n FROM audit").get() as { n: number }).n;
});

afterEach(() => {
  store.close();
  dir.cleanup();
});

type AuditRow = { seq: number; at: number; actor: string; action: string; subject: string | null; data: string; prev_hash: string; hash: string };

const row = (seq: number) => store.db.query("SELECT * FROM audit WHERE seq = ?").get(seq) as AuditRow;

function writeRow(seq: number, r: Omit<AuditRow, "seq">): void {
  store.db
    .query("UPDATE audit SET at = ?, actor = ?, action = ?, subject = ?, data = ?, prev_hash = ?, hash = ? WHERE seq = ?")
    .run(r.at, r.actor, r.action, r.subject, r.data, r.prev_hash, r.hash, seq);
}

function swapContents(a: number, b: number): void {
  const { seq: _a, ...ra } = row(a);
  const { seq: _b, ...rb } = row(b);
  store.db.transaction(() => {
    writeRow(a, rb);
    writeRow(b, ra);
  })();
}

describe("an untouched log", () => {
  test("the real lifecycle wrote ~20 chained entries and they verify", () => {
    expect(total).toBeGreaterThanOrEqual(20);
    const verdict = verifyAudit(store);
    expect(verdict).toEqual({ ok: true, entries: total, headSeq: total, headHash: row(total).hash });
    expect(verdict.firstBad).toBeUndefined();
    expect(store.auditHead()).toEqual({ seq: total, hash: row(total).hash });
    expect(row(1).prev_hash).toBe(GENESIS_HASH);
  });

  test("secrets never reach the audit log (command text is redacted before hashing)", () => {
    const commands = store.db.query("SELECT data FROM audit WHERE action = 'command.ran'").all() as { data: string }[];
    expect(commands.length).toBe(3);
    for (const { data } of commands) expect(data).not.toContain("hunter2");
  });

  test("the JSONL export re-verifies on its own", () => {
    const entries = [...exportAuditJsonl(store)]
      .join("")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditEntry);
    expect(entries.length).toBe(total);
    const bySeq = new Map(entries.map((e) => [e.hash, e.seq]));
    const verdict = verifyChain([entries], { head: store.auditHead(), seqOfHash: (h) => bySeq.get(h) ?? null });
    expect(verdict.ok).toBe(true);
    expect(verdict.entries).toBe(total);
  });

  test("an empty log verifies with zero entries", () => {
    const empty = new SqliteStore(join(dir.path, "empty.sqlite"));
    try {
      expect(verifyAudit(empty)).toEqual({ ok: true, entries: 0, headSeq: 0, headHash: GENESIS_HASH });
    } finally {
      empty.close();
    }
  });
});

describe("tampering is caught and the exact entry is named", () => {
  test("(a) editing one row's data: that row, 'edited'", () => {
    const k = 7;
    const data = JSON.parse(row(k).data) as Record<string, unknown>;
    store.db.query("UPDATE audit SET data = ? WHERE seq = ?").run(JSON.stringify({ ...data, forged: true }), k);
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad).toMatchObject({ seq: k, problem: "edited" });
    expect(verdict.firstBad!.message).toContain(`#${k}`);
  });

  for (const [column, value] of [
    ["actor", "cli:mallory"],
    ["action", "job.deleted"],
    ["subject", "job_forged000"],
    ["at", 1],
    ["prev_hash", "f".repeat(64)],
  ] as [keyof AuditRow, string | number][]) {
    test(`(a) editing one row's ${column}: that row, 'edited'`, () => {
      const k = 12;
      store.db.query(`UPDATE audit SET ${column} = ? WHERE seq = ?`).run(value, k);
      expect(verifyAudit(store).firstBad).toMatchObject({ seq: k, problem: "edited" });
    });
  }

  test("(a) editing the first and the last row is caught too", () => {
    store.db.query("UPDATE audit SET actor = 'x' WHERE seq = 1").run();
    expect(verifyAudit(store).firstBad).toMatchObject({ seq: 1, problem: "edited" });
    store.db.query("UPDATE audit SET actor = 'x' WHERE seq = ?").run(total);
    expect(verifyAudit(store).firstBad).toMatchObject({ seq: 1, problem: "edited" }); // still the first bad one
  });

  test("(a') editing a row and re-hashing it breaks the next link, which names the replaced entry", () => {
    const k = 9;
    const r = row(k);
    const forged = { ...r, actor: "cli:mallory" };
    const hash = entryHash(r.prev_hash, { seq: k, at: r.at, actor: forged.actor, action: r.action, subject: r.subject, data: JSON.parse(r.data) });
    store.db.query("UPDATE audit SET actor = ?, hash = ? WHERE seq = ?").run(forged.actor, hash, k);
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad!.seq).toBe(k + 1);
    expect(verdict.firstBad!.message).toContain(`#${k} was replaced`);
  });

  test("(b) deleting a middle row: that row, 'deleted'", () => {
    const k = 10;
    store.db.query("DELETE FROM audit WHERE seq = ?").run(k);
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad).toMatchObject({ seq: k, problem: "deleted" });
    expect(verdict.firstBad!.message).toContain(`#${k}`);
    expect(verdict.headSeq).toBe(k - 1);
  });

  test("(b) deleting the first row: #1, 'deleted'", () => {
    store.db.query("DELETE FROM audit WHERE seq = 1").run();
    expect(verifyAudit(store).firstBad).toMatchObject({ seq: 1, problem: "deleted" });
  });

  test("(b) deleting a row and renumbering the rest to close the gap: still 'deleted' at that row", () => {
    const k = 6;
    store.db.transaction(() => {
      store.db.query("DELETE FROM audit WHERE seq = ?").run(k);
      for (let s = k + 1; s <= total; s++) store.db.query("UPDATE audit SET seq = ? WHERE seq = ?").run(s - 1, s);
    })();
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad).toMatchObject({ seq: k, problem: "deleted" });
  });

  for (const k of [1, 8, 15]) {
    test(`(c) swapping rows #${k} and #${k + 1} (all columns but seq): names #${k}, 'reordered'`, () => {
      swapContents(k, k + 1);
      const verdict = verifyAudit(store);
      expect(verdict.ok).toBe(false);
      expect(verdict.firstBad).toMatchObject({ seq: k, problem: "reordered" });
      expect(verdict.firstBad!.message).toContain(`#${k + 1}`);
    });
  }

  test("(c) swapping the last two rows: names the first of them, 'reordered'", () => {
    swapContents(total - 1, total);
    expect(verifyAudit(store).firstBad).toMatchObject({ seq: total - 1, problem: "reordered" });
  });

  test("(d) deleting the last row: that row, 'truncated'", () => {
    store.db.query("DELETE FROM audit WHERE seq = ?").run(total);
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.entries).toBe(total - 1);
    expect(verdict.firstBad).toMatchObject({ seq: total, problem: "truncated" });
    expect(verdict.firstBad!.message).toContain(`#${total}`);
  });

  test("(d) deleting the last three rows: the first missing one, 'truncated'", () => {
    store.db.query("DELETE FROM audit WHERE seq > ?").run(total - 3);
    expect(verifyAudit(store).firstBad).toMatchObject({ seq: total - 2, problem: "truncated" });
  });

  test("(d) a deleted tail stays detected after new entries are written", () => {
    store.db.query("DELETE FROM audit WHERE seq = ?").run(total);
    service.enqueue({ kind: "noop", input: {}, actor: "cli:alice" });
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBad).toMatchObject({ seq: total, problem: "deleted" });
  });

  test("(d) deleting every row is 'truncated' at #1", () => {
    store.db.query("DELETE FROM audit").run();
    const verdict = verifyAudit(store);
    expect(verdict.ok).toBe(false);
    expect(verdict.entries).toBe(0);
    expect(verdict.firstBad).toMatchObject({ seq: 1, problem: "truncated" });
  });

  test("the log keeps growing correctly after a clean verify", () => {
    expect(verifyAudit(store).ok).toBe(true);
    service.audit("cli:alice", "note", null, { text: "hello" });
    expect(verifyAudit(store)).toMatchObject({ ok: true, entries: total + 1, headSeq: total + 1 });
  });
});

describe("canonicalJson", () => {
  test("a stored row whose data JSON was only re-ordered still verifies (the hash is over meaning, not bytes)", () => {
    const k = 3;
    const data = JSON.parse(row(k).data) as Record<string, unknown>;
    const reversed = Object.fromEntries(Object.entries(data).reverse());
    expect(JSON.stringify(reversed)).not.toBe(row(k).data);
    store.db.query("UPDATE audit SET data = ? WHERE seq = ?").run(JSON.stringify(reversed), k);
    expect(verifyAudit(store).ok).toBe(true);
  });
});
