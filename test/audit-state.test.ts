import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { routes } from "../src/api/routes.ts";
import type { PullRequest } from "../src/prs/pr-types.ts";
import { Cluster } from "./helpers/cluster.ts";

/**
 * Gap 5 of the review issue: the state tables the gate reads (people's decisions, the pause switch) are
 * checked against the audit log, and the log against its anchor outside the database. The attacks edit
 * the SQLite file directly, as anything holding the file could.
 */

let cluster: Cluster | null = null;
afterEach(async () => {
  await cluster?.stop();
  cluster = null;
});

/** A Medium PR (two files, `max_files = 1`): it needs one person's approval, so it waits. */
async function mediumPr(): Promise<{ c: Cluster; pr: PullRequest }> {
  const c = await Cluster.create({
    configToml: `[checks]\ncommands = [{ name = "ok", run = "true" }]\n`,
    files: { "src/a.txt": "one\n", "src/b.txt": "two\n", ".pushpals/policy.toml": "[low]\nmax_files = 1\n" },
  });
  cluster = c;
  await c.startServer();
  await c.startWorker("w1");
  await c.startAgents();
  const r = c.cli(["run", "--json", "--scope", "src/**", "--", "echo x >> src/a.txt && echo y >> src/b.txt"]);
  expect(r.stderr).toBe("");
  const opened = (JSON.parse(r.stdout) as { pr: PullRequest }).pr;
  for (;;) {
    const pr = (await c.client.call(routes.getPr, { params: { number: opened.number } })).pr;
    if (pr.review?.headSha === pr.headSha) return { c, pr };
    await Bun.sleep(25);
  }
}

function editPr(c: Cluster, n: number, edit: (pr: PullRequest) => PullRequest): void {
  const db = new Database(c.paths.dbPath);
  try {
    const row = db.query("SELECT data FROM pull_requests WHERE number = ?").get(n) as { data: string };
    db.query("UPDATE pull_requests SET data = ? WHERE number = ?").run(JSON.stringify(edit(JSON.parse(row.data) as PullRequest)), n);
  } finally {
    db.close();
  }
}

test("an approval written straight into the PR table opens no gate: the gate counts the audit log's decisions and names the edit", async () => {
  const { c, pr } = await mediumPr();
  const before = await c.client.call(routes.prGate, { params: { number: pr.number } });
  expect(before.ok).toBe(false);
  expect(before.missing.join("\n")).toContain("1 more approval(s)");
  editPr(c, pr.number, (p) => ({ ...p, approvals: [{ by: "os:mallory", at: Date.now(), headSha: p.headSha, why: null }] }));
  const after = await c.client.call(routes.prGate, { params: { number: pr.number } });
  expect(after.ok).toBe(false);
  expect(after.missing.join("\n")).toContain("1 more approval(s)");
  expect(after.missing.join("\n")).toContain("the PR record holds approval by os:mallory");
  // The merge the SourceControlManager would run asks the same gate: it is refused.
  const merge = c.cli(["pr", "merge", String(pr.number), "--head", pr.headSha, "--json"]);
  const job = (JSON.parse(merge.stdout) as { job: { id: string } }).job;
  const done = await c.waitForJob(job.id, (j) => j.state === "failed" || j.state === "succeeded", 30_000);
  expect(done.state).toBe("failed");
  expect(done.failure?.message).toContain("a PR record that matches the audit log");
}, 60_000);

test("a rejection deleted from the PR table still stands: the audit log records it", async () => {
  const { c, pr } = await mediumPr();
  expect(c.cli(["reject", String(pr.number), "--why", "wrong file", "--head", pr.headSha]).exitCode).toBe(0);
  editPr(c, pr.number, (p) => ({ ...p, rejections: [] }));
  const gate = await c.client.call(routes.prGate, { params: { number: pr.number } });
  expect(gate.missing.join("\n")).toMatch(/no rejection: os:\S+ rejected it \(wrong file\)/);
  expect(gate.missing.join("\n")).toContain("the audit log holds rejection by");
}, 60_000);

test("a pause cleared in the database stays a pause until `pushpals resume`; no job is claimed meanwhile", async () => {
  const { c } = await mediumPr();
  expect(c.cli(["pause", "--why", "incident"]).exitCode).toBe(0);
  const db = new Database(c.paths.dbPath);
  db.query("UPDATE meta SET value = '' WHERE key = 'paused'").run();
  db.close();
  const { paused } = await c.client.call(routes.getControl);
  expect(paused?.reason).toContain("incident");
  expect(paused?.reason).toContain("cleared outside PushPals");
  const job = await c.enqueue("noop", {});
  await Bun.sleep(300); // several claim polls of the running worker
  expect((await c.job(job.id)).job.state).toBe("queued");
  expect(c.cli(["resume"]).exitCode).toBe(0);
  expect((await c.client.call(routes.getControl)).paused).toBeNull();
  await c.waitForJob(job.id, (j) => j.state === "succeeded");
}, 60_000);

test("audit verify catches a tail cut with the stored head moved back, naming the last entry that matches the anchor", async () => {
  const { c } = await mediumPr();
  const db = new Database(c.paths.dbPath);
  const head = () => JSON.parse((db.query("SELECT value FROM meta WHERE key = 'audit_head'").get() as { value: string }).value) as { seq: number; hash: string };
  // Wait for the anchor to catch up with the log (it follows each commit a moment later).
  for (let i = 0; ; i++) {
    const anchored = Bun.spawnSync(["git", "cat-file", "blob", "refs/pushpals/audit:head.json"], { cwd: c.root, stdout: "pipe" }).stdout.toString();
    if (anchored && JSON.parse(anchored).seq === head().seq) break;
    if (i > 400) throw new Error("the audit anchor never caught up");
    await Bun.sleep(25);
  }
  expect(c.cli(["audit", "verify"]).stdout).toMatch(/audit log OK: .*anchored up to #\d+ in refs\/pushpals\/audit/);
  await c.cli(["stop"]);
  const { seq } = head();
  db.query("DELETE FROM audit WHERE seq > ?").run(seq - 3);
  const last = db.query("SELECT seq, hash FROM audit WHERE seq = ?").get(seq - 3) as { seq: number; hash: string };
  db.query("UPDATE meta SET value = ? WHERE key = 'audit_head'").run(JSON.stringify(last));
  db.close();
  const r = c.cli(["audit", "verify", "--json"]);
  expect(r.exitCode).toBe(1);
  const verdict = JSON.parse(r.stdout) as { ok: boolean; firstBad: { seq: number; problem: string; message: string }; lastMatching: number };
  expect(verdict.firstBad).toMatchObject({ seq: seq - 2, problem: "truncated" });
  expect(verdict.firstBad.message).toContain(`the last entry that matches an anchor is #${verdict.lastMatching}`);
  expect(verdict.lastMatching).toBeLessThanOrEqual(seq - 3);
}, 60_000);
