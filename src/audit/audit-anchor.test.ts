import { afterEach, beforeEach, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { AUDIT_REF, readAnchorHistory } from "../scm/audit-ref.ts";
import { entryHash } from "../store/audit/audit-chain.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { verifyAudit } from "./audit-log.ts";
import { AuditAnchorer } from "./audit-anchorer.ts";
import { verifyAnchoredAudit } from "./verify-anchored.ts";

let dir: ReturnType<typeof tempDir>;
let repo: string;
let store: SqliteStore;
let logged: string[];
let anchorer: AuditAnchorer;

function git(...args: string[]): string {
  const r = Bun.spawnSync(["git", ...args], { cwd: repo, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString().trim();
}

beforeEach(() => {
  dir = tempDir("pushpals-anchor-");
  repo = join(dir.path, "repo");
  Bun.spawnSync(["git", "init", "-q", "-b", "main", repo]);
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  logged = [];
  anchorer = new AuditAnchorer({ repoRoot: repo, store, log: (m) => logged.push(m), minIntervalMs: 0 });
});
afterEach(() => {
  store.close();
  dir.cleanup();
});

const append = (n: number) => {
  for (let i = 0; i < n; i++) store.appendAudit({ at: 1_000 + i, actor: "os:alice", action: "pr.approved", subject: "pr#1", data: { headSha: "a".repeat(40), why: `#${i}` } });
};

/** Three anchors: at #3, #6 and #9. */
async function anchoredHistory(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    append(3);
    await anchorer.flush();
  }
}

/** What someone with the database file does: change entry `seq`, then recompute every later hash and the stored head. */
function rewriteFrom(seq: number, data: unknown): void {
  const rows = store.db.query("SELECT * FROM audit WHERE seq >= ? ORDER BY seq").all(seq) as { seq: number; at: number; actor: string; action: string; subject: string | null; data: string; prev_hash: string }[];
  let prev = rows[0]!.prev_hash;
  for (const row of rows) {
    const content = { seq: row.seq, at: row.at, actor: row.actor, action: row.action, subject: row.subject, data: row.seq === seq ? data : JSON.parse(row.data) };
    const hash = entryHash(prev, content);
    store.db.query("UPDATE audit SET data = ?, prev_hash = ?, hash = ? WHERE seq = ?").run(JSON.stringify(content.data), prev, hash, row.seq);
    prev = hash;
  }
  store.db.query("UPDATE meta SET value = ? WHERE key = 'audit_head'").run(JSON.stringify({ seq: rows.at(-1)!.seq, hash: prev }));
}

function cutTail(keep: number): void {
  store.db.query("DELETE FROM audit WHERE seq > ?").run(keep);
  const last = store.db.query("SELECT seq, hash FROM audit WHERE seq = ?").get(keep) as { seq: number; hash: string };
  store.db.query("UPDATE meta SET value = ? WHERE key = 'audit_head'").run(JSON.stringify(last));
}

test("the anchor follows the log's head: one commit per anchor, each on the one before, the tree holding seq and hash", async () => {
  await anchoredHistory();
  const history = await readAnchorHistory(repo);
  expect(history.map((a) => a.seq)).toEqual([9, 6, 3]);
  expect(history[0]!.hash).toBe(store.auditHead()!.hash);
  expect(JSON.parse(git("cat-file", "blob", `${AUDIT_REF}:head.json`))).toMatchObject({ seq: 9, hash: store.auditHead()!.hash });
  expect(git("rev-list", "--count", AUDIT_REF)).toBe("3");
  expect(await verifyAnchoredAudit(store, repo)).toMatchObject({ ok: true, entries: 9, anchor: { seq: 9 } });
});

test("a cut tail with the stored head moved back passes the chain alone, and is caught by the anchor, naming the last matching entry", async () => {
  await anchoredHistory();
  cutTail(7);
  expect(verifyAudit(store).ok).toBe(true);
  const verdict = await verifyAnchoredAudit(store, repo);
  expect(verdict).toMatchObject({ ok: false, lastMatching: 6, firstBad: { seq: 8, problem: "truncated" } });
  expect(verdict.firstBad?.message).toContain("entries #8..#9 are missing");
  expect(verdict.firstBad?.message).toContain("the last entry that matches an anchor is #6");
});

test("a consistent rewrite (every later hash and the head recomputed) is caught, between the last matching anchor and the first that differs", async () => {
  await anchoredHistory();
  rewriteFrom(5, { headSha: "b".repeat(40), why: "forged" });
  expect(verifyAudit(store).ok).toBe(true);
  const verdict = await verifyAnchoredAudit(store, repo);
  expect(verdict).toMatchObject({ ok: false, lastMatching: 3, firstBad: { seq: 4, problem: "rewritten" } });
  expect(verdict.firstBad?.message).toContain("between #4 and #6");
});

test("the whole database gone (a fresh, empty log) is a cut of every anchored entry", async () => {
  await anchoredHistory();
  const empty = new SqliteStore(":memory:");
  expect(await verifyAnchoredAudit(empty, repo)).toMatchObject({ ok: false, lastMatching: 0, firstBad: { seq: 1, problem: "truncated" } });
  empty.close();
});

test("the anchorer never anchors over a rewritten or cut log: it reports the divergence and stops", async () => {
  await anchoredHistory();
  rewriteFrom(8, { headSha: "c".repeat(40), why: "forged" });
  append(2);
  await anchorer.flush();
  expect(anchorer.diverged).toContain("entry #9 is not the one its anchor recorded");
  expect(logged.join("\n")).toContain("audit log diverged from its anchor");
  expect((await readAnchorHistory(repo)).map((a) => a.seq)).toEqual([9, 6, 3]);

  const other = new AuditAnchorer({ repoRoot: repo, store, log: () => {}, minIntervalMs: 0 });
  cutTail(4);
  await other.flush();
  expect(other.diverged).toContain("the log ends at #4 but its anchor records #9");
});

test("an anchor ref moved by someone else is read again before the next anchor is written on it (CAS)", async () => {
  append(2);
  await anchorer.flush();
  const first = git("rev-parse", AUDIT_REF);
  // Another anchorer (a second server would be refused by the lock; this stands in for any writer) moves it on.
  const other = new AuditAnchorer({ repoRoot: repo, store, log: () => {}, minIntervalMs: 0 });
  append(1);
  await other.flush();
  append(1);
  await anchorer.flush();
  const history = await readAnchorHistory(repo);
  expect(history.map((a) => a.seq)).toEqual([4, 3, 2]);
  expect(history.at(-1)!.commit).toBe(first);
});

test("no anchor at all for a non-empty log is reported, not passed", async () => {
  append(2);
  expect(await verifyAnchoredAudit(store, repo)).toMatchObject({ ok: false, firstBad: { problem: "unanchored" } });
});

test("an anchor ref pointing at something else than an anchor is reported as broken", async () => {
  git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--allow-empty", "-m", "x");
  git("update-ref", AUDIT_REF, "HEAD");
  append(1);
  expect(await verifyAnchoredAudit(store, repo)).toMatchObject({ ok: false, firstBad: { problem: "anchor_broken" } });
});

test("a ref git cannot update (a stale lock) is reported once and retried after the next commit, never in a busy loop; flush returns", async () => {
  append(1);
  await anchorer.flush();
  writeFileSync(join(repo, ".git", "refs", "pushpals", "audit.lock"), "");
  append(1);
  const started = Date.now();
  await anchorer.flush();
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(logged.filter((l) => l.includes("audit anchor not written"))).toHaveLength(1);
  expect((await readAnchorHistory(repo)).map((a) => a.seq)).toEqual([1]);
  rmSync(join(repo, ".git", "refs", "pushpals", "audit.lock"));
  append(1);
  await anchorer.flush();
  expect((await readAnchorHistory(repo)).map((a) => a.seq)).toEqual([3, 1]);
});

test("an anchor ref that is no anchor stops anchoring as a divergence (the gate then refuses merges)", async () => {
  git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--allow-empty", "-m", "x");
  git("update-ref", AUDIT_REF, "HEAD");
  append(1);
  await anchorer.flush();
  expect(anchorer.diverged).toContain("holds no head.json");
});
