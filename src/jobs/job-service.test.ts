import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/temp.ts";
import { Bus } from "../events/bus.ts";
import type { PushpalsEvent } from "../events/registry.ts";
import { SqliteStore } from "../store/sqlite-store.ts";
import { JobService } from "./job-service.ts";
import { parseJobInput } from "../kinds/registry.ts";

let dir: ReturnType<typeof tempDir>;
let store: SqliteStore;
let now: number;
let events: PushpalsEvent[];
let service: JobService;

beforeEach(() => {
  dir = tempDir();
  store = new SqliteStore(join(dir.path, "db.sqlite"));
  now = 1_000_000;
  events = [];
  const bus = new Bus<PushpalsEvent>();
  bus.subscribe((e) => events.push(e));
  service = new JobService(store, bus, { parseInput: parseJobInput, leaseMs: 1_000, now: () => now, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1_000 } });
});

afterEach(() => {
  store.close();
  dir.cleanup();
});

const noop = (extra: Record<string, unknown> = {}) => service.enqueue({ kind: "noop", input: {}, actor: "test", ...extra });

describe("claims", () => {
  test("best job first: priority, then oldest", () => {
    const low = noop().job;
    now++;
    const high = noop({ priority: 5 }).job;
    now++;
    const high2 = noop({ priority: 5 }).job;
    expect(service.claim("w1", ["noop"])?.job.id).toBe(high.id);
    expect(service.claim("w1", ["noop"])?.job.id).toBe(high2.id);
    expect(service.claim("w1", ["noop"])?.job.id).toBe(low.id);
    expect(service.claim("w1", ["noop"])).toBeNull();
  });

  test("only kinds the worker is capable of", () => {
    noop();
    expect(service.claim("w1", ["checks"])).toBeNull();
    expect(service.claim("w1", ["checks", "noop"])).not.toBeNull();
  });

  test("a stale fencing token is rejected after the lease moves on", () => {
    const { job } = noop();
    const first = service.claim("w1", ["noop"])!;
    now += 1_001;
    expect(service.tick()).toBe(1);
    expect(service.get(job.id).job.state).toBe("queued");
    const second = service.claim("w2", ["noop"])!;
    expect(second.token).toBe(first.token + 1);
    const stale = { jobId: job.id, workerId: "w1", token: first.token };
    expect(() => service.heartbeat(stale)).toThrow(/no longer holds/);
    expect(() => service.complete(stale, {})).toThrow(/no longer holds/);
    expect(() => service.appendLogs(stale, [{ stream: "stdout", line: "x" }])).toThrow(/no longer holds/);
    service.complete({ jobId: job.id, workerId: "w2", token: second.token }, { ok: true });
    expect(service.get(job.id).job.state).toBe("succeeded");
  });

  test("heartbeats keep the lease alive", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    now += 800;
    service.heartbeat({ jobId: job.id, workerId: "w1", token: c.token });
    now += 800;
    expect(service.tick()).toBe(0);
    expect(service.get(job.id).job.state).toBe("running");
  });

  test("expiry after the last attempt fails with lease_lost", () => {
    const { job } = noop({ maxAttempts: 2 });
    for (let i = 0; i < 2; i++) {
      service.claim("w1", ["noop"]);
      now += 2_000;
      service.tick();
    }
    const final = service.get(job.id).job;
    expect(final.state).toBe("failed");
    expect(final.failure?.class).toBe("lease_lost");
    expect(service.claim("w1", ["noop"])).toBeNull();
  });

  test("lease_lost carries the job's last log lines as evidence", () => {
    const { job } = noop({ maxAttempts: 1 });
    const c = service.claim("w1", ["noop"])!;
    service.appendLogs({ jobId: job.id, workerId: "w1", token: c.token }, [{ stream: "stdout", line: "compiling 3/7" }]);
    now += 2_000;
    service.tick();
    expect(service.get(job.id).job.failure?.evidence.logExcerpt).toBe("compiling 3/7");
  });

  test("complete retried with the same token is answered, not applied twice", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    const ref = { jobId: job.id, workerId: "w1", token: c.token };
    service.complete(ref, {});
    const count = events.length;
    expect(service.complete(ref, {}).state).toBe("succeeded");
    expect(events.length).toBe(count);
  });
});

describe("retries", () => {
  test("retryable failures back off, then fail after max attempts", () => {
    const { job } = noop({ maxAttempts: 2 });
    let c = service.claim("w1", ["noop"])!;
    service.fail({ jobId: job.id, workerId: "w1", token: c.token }, { class: "environment", message: "disk full", evidence: {} });
    const waiting = service.get(job.id).job;
    expect(waiting.state).toBe("retry_wait");
    expect(waiting.runAfter).toBe(now + 75);
    expect(service.claim("w1", ["noop"])).toBeNull();
    now += 75;
    service.tick();
    c = service.claim("w1", ["noop"])!;
    expect(c.job.attempt).toBe(2);
    service.fail({ jobId: job.id, workerId: "w1", token: c.token }, { class: "environment", message: "disk full", evidence: {} });
    expect(service.get(job.id).job.state).toBe("failed");
  });

  test("a retryable class whose evidence says a retry cannot help fails at once, and the history says why", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    const failure = { class: "environment" as const, message: "package-lock.json is out of sync with package.json", evidence: { exitCode: 1, notRetryable: "the same lockfile fails the same way" } };
    service.fail({ jobId: job.id, workerId: "w1", token: c.token }, failure);
    const { job: final, transitions } = service.get(job.id);
    expect(final.state).toBe("failed");
    expect(final.attempt).toBe(1);
    expect(final.failure).toEqual(failure);
    expect(transitions.at(-1)!.reason).toBe("environment: package-lock.json is out of sync with package.json (not retried: the same lockfile fails the same way)");
  });

  test("non-retryable failures fail at once", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    service.fail({ jobId: job.id, workerId: "w1", token: c.token }, { class: "checks_failed", message: "test failed", evidence: { exitCode: 1 } });
    const final = service.get(job.id).job;
    expect(final.state).toBe("failed");
    expect(final.failure).toEqual({ class: "checks_failed", message: "test failed", evidence: { exitCode: 1 } });
  });
});

describe("dedupe, cancel, release", () => {
  test("an active dedupe key returns the existing job; a finished one does not", () => {
    const a = noop({ dedupeKey: "k" });
    const b = noop({ dedupeKey: "k" });
    expect(b.deduped).toBe(true);
    expect(b.job.id).toBe(a.job.id);
    service.cancel(a.job.id, "test");
    const c = noop({ dedupeKey: "k" });
    expect(c.deduped).toBe(false);
  });

  test("queued cancels at once; running is asked to stop and ends cancelled", () => {
    const queued = noop().job;
    expect(service.cancel(queued.id, "cli:me").state).toBe("cancelled");
    const running = noop().job;
    const c = service.claim("w1", ["noop"])!;
    expect(service.cancel(running.id, "cli:me").cancelRequested).toBe(true);
    const hb = service.heartbeat({ jobId: running.id, workerId: "w1", token: c.token });
    expect(hb.cancelRequested).toBe(true);
    service.fail({ jobId: running.id, workerId: "w1", token: c.token }, { class: "cancelled", message: "stopped", evidence: {} });
    expect(service.get(running.id).job.state).toBe("cancelled");
  });

  test("release returns the job without spending an attempt", () => {
    const { job } = noop({ maxAttempts: 1 });
    const c = service.claim("w1", ["noop"])!;
    service.release({ jobId: job.id, workerId: "w1", token: c.token }, "worker stopping");
    const back = service.get(job.id).job;
    expect(back.state).toBe("queued");
    expect(back.attempt).toBe(0);
    expect(service.claim("w2", ["noop"])).not.toBeNull();
  });
});

describe("history, events, logs", () => {
  test("every transition is stored with actor and reason and emitted in sequence order", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    service.complete({ jobId: job.id, workerId: "w1", token: c.token }, {});
    const { transitions } = service.get(job.id);
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(["null->queued", "queued->running", "running->succeeded"]);
    expect(transitions[1]?.actor).toBe("worker:w1");
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(store.eventsAfter(0, 100).map((e) => e.seq)).toEqual(seqs);
  });

  test("logs are bounded per job, keep the tail, and are redacted", () => {
    service = new JobService(store, new Bus(), { parseInput: parseJobInput, maxLogLinesPerJob: 5 });
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    const ref = { jobId: job.id, workerId: "w1", token: c.token };
    service.appendLogs(ref, Array.from({ length: 8 }, (_, i) => ({ stream: "stdout" as const, line: `line ${i}` })));
    service.appendLogs(ref, [{ stream: "stderr", line: "push with ghp_abcdefghijklmnopqrstuvwxyz0123456789" }]);
    const lines = service.logs(job.id, 0, 100);
    expect(lines.map((l) => l.line)).toEqual(["line 4", "line 5", "line 6", "line 7", "push with [REDACTED]"]);
    expect(service.get(job.id).job.logDropped).toBe(4);
  });

  test("a rolled-back write announces nothing", () => {
    const before = events.length;
    expect(() => service.enqueue({ kind: "noop", input: { sleepMs: -1 }, actor: "t" })).toThrow(/input.sleepMs/);
    expect(events.length).toBe(before);
  });
});

describe("review fixes", () => {
  test("unblock only moves a blocked job; a running one is refused", () => {
    const blocked = noop({ blockedReason: "needs a human" }).job;
    expect(service.unblock(blocked.id, "cli:me", "approved").state).toBe("queued");
    const c = service.claim("w1", ["noop"])!;
    expect(() => service.unblock(c.job.id, "cli:me", "oops")).toThrow(/is running, not blocked/);
  });

  test("a new attempt clears the previous attempt's failure from the job", () => {
    const { job } = noop();
    let c = service.claim("w1", ["noop"])!;
    service.fail({ jobId: job.id, workerId: "w1", token: c.token }, { class: "environment", message: "disk full", evidence: {} });
    now += 10_000;
    service.tick();
    c = service.claim("w1", ["noop"])!;
    expect(c.job.failure).toBeNull();
    service.complete({ jobId: job.id, workerId: "w1", token: c.token }, {});
    expect(service.get(job.id).job.failure).toBeNull();
    expect(service.get(job.id).transitions.some((t) => t.reason.includes("disk full"))).toBe(true);
  });

  test("failure evidence, results and progress are redacted before they are stored", () => {
    const { job } = noop();
    const c = service.claim("w1", ["noop"])!;
    const ref = { jobId: job.id, workerId: "w1", token: c.token };
    service.progress(ref, { note: "using ghp_abcdefghijklmnopqrstuvwxyz0123456789" });
    expect(JSON.stringify(service.get(job.id).job.progress)).not.toContain("ghp_");
    service.fail(ref, { class: "checks_failed", message: "failed", evidence: { logExcerpt: "password=hunter2 at line 3" } });
    expect(service.get(job.id).job.failure?.evidence.logExcerpt).toBe("password=[REDACTED] at line 3");
  });

  test("after a server outage, running jobs get a fresh lease instead of expiring at once", () => {
    const { job } = noop();
    service.claim("w1", ["noop"]);
    now += 5_000; // the server was down longer than the lease
    expect(service.graceRunningLeases("restart")).toBe(1);
    expect(service.tick()).toBe(0);
    expect(service.get(job.id).job.state).toBe("running");
    now += 1_001;
    expect(service.tick()).toBe(1);
  });
});

describe("group commit", () => {
  test("a failing operation in a batch changes nothing; the others commit; events come after the commit", () => {
    const a = noop().job;
    const seen: number[] = [];
    const announced: PushpalsEvent[] = [];
    const off = service.events.subscribe((e) => {
      announced.push(e);
      seen.push(store.db.inTransaction ? -1 : 1);
    });
    const results = service.batch([
      () => service.claim("w1", ["noop"]),
      () => {
        service.enqueue({ kind: "noop", input: {}, actor: "t", dedupeKey: "rolled-back" });
        throw new Error("boom after a write");
      },
      () => service.complete({ jobId: a.id, workerId: "w2", token: 99 }, {}),
      () => service.enqueue({ kind: "noop", input: {}, actor: "t" }),
    ]);
    off();
    expect(results.map((r) => r.ok)).toEqual([true, false, false, true]);
    expect(store.findActiveJobByDedupeKey("rolled-back")).toBeNull();
    expect(announced.filter((e) => (e.data as { dedupeKey?: string }).dedupeKey === "rolled-back")).toEqual([]);
    expect(announced.map((e) => e.seq)).toEqual(store.eventsAfter(announced[0]!.seq - 1, 100).map((e) => e.seq));
    expect(service.get(a.id).job.state).toBe("running");
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s === 1)).toBe(true);
  });

  test("GroupCommit coalesces calls from one turn into one transaction and answers each", async () => {
    const { GroupCommit } = await import("./group-commit.ts");
    const commit = new GroupCommit(service);
    let transactions = 0;
    const write = store.write.bind(store);
    store.write = (fn) => {
      if (!store.db.inTransaction) transactions++;
      return write(fn);
    };
    const jobs = await Promise.all(Array.from({ length: 5 }, () => commit.run(() => noop().job)));
    const bad = commit.run(() => service.cancel("job_doesnotexist0000", "t"));
    await expect(bad).rejects.toMatchObject({ code: "not_found" });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(5);
    expect(transactions).toBe(2);
  });
});
