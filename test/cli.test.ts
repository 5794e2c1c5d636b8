import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster, PUSHPALS_BIN, spawnPushpals } from "./helpers/cluster.ts";
import { tempDir } from "./helpers/temp.ts";

const CONFIG = `
[[checks.commands]]
name = "env"
run = "echo token-vars: $(env | grep -ci token); echo secret in argv: ghp_abcdefghijklmnopqrstuvwxyz0123456789"

[[checks.commands]]
name = "unit"
run = "echo running unit tests; echo 'FAIL math.test.js' >&2; echo 'fetch with Authorization: Bearer abcdefghijklmnop' >&2; exit 3"
`;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await Cluster.create({ configToml: CONFIG, env: { GITHUB_TOKEN: "ghp_zyxwvutsrqponmlkjihgfedcba9876543210", NPM_TOKEN: "npm_secret" } });
});

afterAll(async () => {
  await cluster.stop();
});

describe("without a server", () => {
  test("outside a git repository: exit 6 with the fix", () => {
    const dir = tempDir();
    const r = Bun.spawnSync([PUSHPALS_BIN, "jobs"], { cwd: dir.path, stdout: "pipe", stderr: "pipe" });
    dir.cleanup();
    expect(r.exitCode).toBe(6);
    expect(r.stderr.toString()).toMatch(/not inside a git repository[\s\S]*fix:/);
  });

  test("no server running: exit 3 and how to start one", () => {
    const r = cluster.cli(["jobs"]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/no PushPals server is running[\s\S]*pushpals start/);
  });

  test("serve refuses a non-loopback host in config, naming the key", async () => {
    const { makeRepo } = await import("./helpers/cluster.ts");
    const repo = await makeRepo({ configToml: '[server]\nhost = "0.0.0.0"\n' });
    const r = Bun.spawnSync([PUSHPALS_BIN, "serve"], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
    repo.cleanup();
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toMatch(/config\.toml: server\.host: .*loopback.*"0\.0\.0\.0"/);
  });

  test("every command has --help with examples", () => {
    const commands = ["init", "config", "start", "stop", "status", "doctor", "check", "ask", "serve", "worker", "agent", "enqueue", "jobs", "job", "cancel", "logs", "watch"];
    for (const command of [...commands.map((c) => [c]), ["audit", "verify"], ["audit", "export"]]) {
      const r = cluster.cli([...command, "--help"]);
      expect({ command, exitCode: r.exitCode }).toEqual({ command, exitCode: 0 });
      expect({ command, hasExample: /Examples?:/.test(r.stdout) }).toEqual({ command, hasExample: true });
    }
    // 19 CLI processes; on a loaded 2-core CI machine each can take over a quarter of a second.
  }, 30_000);

  test("unknown flag: usage error, exit 2", () => {
    expect(cluster.cli(["jobs", "--bogus"]).exitCode).toBe(2);
  });

  test("a worker asked for kinds nobody handles: exit 2 naming the known kinds", () => {
    const r = cluster.cli(["worker", "--kinds", "bogus"]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/known kinds: agent-run, bisect, checks, ci-fix, dependency-update, deps-scan, lockfile-sync, noop, plan-directive, quarantine, resolve-conflict/);
  });

  test("a config naming a job kind that does not exist is refused by every command that reads it (exit 2, naming where)", () => {
    const before = cluster.env.PUSHPALS_SANDBOX_NETWORK;
    cluster.env.PUSHPALS_SANDBOX_NETWORK = "checks,rnu";
    try {
      for (const args of [["config"], ["worker", "--kinds", "checks"]]) {
        const r = cluster.cli(args);
        expect(r.exitCode).toBe(2);
        expect(r.stderr).toContain('env PUSHPALS_SANDBOX_NETWORK: sandbox.network[1]: no job kind is called "rnu"');
      }
    } finally {
      if (before === undefined) delete cluster.env.PUSHPALS_SANDBOX_NETWORK;
      else cluster.env.PUSHPALS_SANDBOX_NETWORK = before;
    }
  });

  test("with --json, errors are JSON too", () => {
    const r = cluster.cli(["jobs", "--json"]);
    expect(r.exitCode).toBe(3);
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: "server_unreachable" });
  });
});

describe("with a server and a worker", () => {
  let jobId: string;

  beforeAll(async () => {
    await cluster.startServer();
    await cluster.startWorker("cli-worker");
    const r = cluster.cli(["enqueue", "checks", "--json"]);
    expect(r.exitCode).toBe(0);
    jobId = JSON.parse(r.stdout).job.id;
    await cluster.waitForJob(jobId, (j) => j.state === "failed");
  }, 30_000);

  test("a second server for the same repository is refused while the first is alive", () => {
    const r = cluster.cli(["serve"]);
    expect(r.exitCode).toBe(5);
    expect(r.stderr).toMatch(/already running for this repository at http:\/\/127\.0\.0\.1:\d+/);
  });

  test("status names settings changed since start that wait for a restart, and not per-job ones", () => {
    expect(cluster.cli(["status"]).stdout).not.toContain("config changed");
    const local = join(cluster.paths.runtimeDir, "config.local.toml");
    writeFileSync(local, "[sandbox]\nmemory_mb = 3000\n\n[install]\ntimeout_seconds = 77\n");
    try {
      const out = cluster.cli(["status"]).stdout;
      expect(out).toContain("config changed since start");
      expect(out).toContain("sandbox.memory_mb: 4096 -> 3000");
      expect(out).not.toContain("install.timeout_seconds");
      expect(JSON.parse(cluster.cli(["status", "--json"]).stdout).restartNeeded).toEqual(["sandbox.memory_mb: 4096 -> 3000"]);
    } finally {
      rmSync(local);
    }
  });

  test.skipIf(process.platform !== "linux")("status shows each running component's memory (PSS and RSS) and the total; --json carries the figures", () => {
    const out = cluster.cli(["status"]).stdout;
    expect(out).toMatch(/COMPONENT\s+ROLE\s+PID\s+STATE\s+HEARTBEAT\s+RESTARTS\s+MEMORY/);
    expect(out).toMatch(new RegExp(`server\\s+server\\s+${cluster.server!.proc.pid}\\s+ready\\s.*pss \\d+\\.\\d MiB  rss \\d+\\.\\d MiB`));
    expect(out).toMatch(/memory: pss \d+\.\d MiB over \d+ process(es)? \(rss \d+\.\d MiB, counting shared pages once per process\)/);
    expect(out).not.toMatch(/^supervisor/m);

    const status = JSON.parse(cluster.cli(["status", "--json"]).stdout);
    const running = status.components.filter((c: { state: string }) => c.state === "ready");
    expect(running.length).toBeGreaterThan(0);
    for (const c of running) {
      expect(c.memory.rssBytes).toBeGreaterThan(0);
      expect(c.memory.pssBytes).toBeGreaterThan(0);
      expect(c.memory.pssBytes).toBeLessThanOrEqual(c.memory.rssBytes);
    }
    expect(status.supervisorProcess).toBeNull();
    expect(status.memoryTotal.processes).toBe(running.length);
    expect(status.memoryTotal.pssBytes).toBe(running.reduce((sum: number, c: { memory: { pssBytes: number } }) => sum + c.memory.pssBytes, 0));
  });

  test("a failing check fails the job with checks_failed, the command and its exit code as evidence", async () => {
    const r = cluster.cli(["job", jobId, "--json"]);
    expect(r.exitCode).toBe(0);
    const { job, transitions } = JSON.parse(r.stdout);
    expect(job.failure.class).toBe("checks_failed");
    expect(job.failure.evidence).toMatchObject({ command: expect.stringContaining("exit 3"), exitCode: 3 });
    expect(job.failure.evidence.logExcerpt).toContain("FAIL math.test.js");
    expect(job.failure.evidence.logExcerpt).toContain("Bearer [REDACTED]");
    expect(JSON.stringify(job.failure)).not.toContain("abcdefghijklmnop");
    expect(transitions.map((t: { to: string }) => t.to)).toEqual(["queued", "running", "failed"]);
    const human = cluster.cli(["job", jobId]).stdout;
    expect(human).toMatch(/failure\s+checks_failed: unit failed/);
    expect(human).toMatch(/exit code\s+3/);
  });

  test("check commands get no credentials from the worker's environment, and logs are redacted", () => {
    const logs = cluster.cli(["logs", jobId]);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain("token-vars: 0");
    expect(logs.stdout).toContain("secret in argv: [REDACTED]");
    expect(logs.stdout).not.toContain("ghp_");
    expect(logs.stdout).toContain("! FAIL math.test.js");
  });

  test("the audit log records each command with its exit code, without secrets", async () => {
    const out = join(tempDir().path, "audit.jsonl");
    expect(cluster.cli(["audit", "export", "--out", out]).exitCode).toBe(0);
    const entries = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const commands = entries.filter((e) => e.action === "command.ran" && e.subject === jobId);
    expect(commands.map((e) => e.data.exitCode)).toEqual([0, 3]);
    expect(readFileSync(out, "utf8")).not.toMatch(/ghp_|npm_secret/);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
  });

  test("jobs lists by state; job on a malformed or unknown id fails clearly", () => {
    const failed = JSON.parse(cluster.cli(["jobs", "--state", "failed", "--json"]).stdout).jobs;
    expect(failed.map((j: { id: string }) => j.id)).toContain(jobId);
    expect(cluster.cli(["jobs", "--state", "bogus"]).exitCode).toBe(2);
    expect(cluster.cli(["job", "../../etc/passwd"]).exitCode).toBe(2);
    const missing = cluster.cli(["job", "job_0000000000000000"]);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr).toMatch(/does not exist/);
  });

  test("logs -f follows a running job to its end; watch streams its events", async () => {
    const watch = spawnPushpals(["watch", "--json", "--after", "0"], cluster.root);
    const job = await cluster.enqueue("noop", { sleepMs: 300, logLines: 2 });
    const follow = spawnPushpals(["logs", job.id, "-f"], cluster.root);
    expect(await follow.proc.exited).toBe(0);
    expect(follow.output()).toContain("noop line 2");
    expect(follow.output()).toContain("-- job succeeded --");
    await watch.waitForOutput(new RegExp(`"jobId":"${job.id}","from":"running","to":"succeeded"`));
    watch.proc.kill();
    const newest = JSON.parse(cluster.cli(["jobs", "--limit", "1", "--json"]).stdout).jobs;
    expect(newest.map((j: { id: string }) => j.id)).toEqual([job.id]);
  });

  test("audit verify works with the server down, reading the database directly", async () => {
    cluster.server!.proc.kill("SIGTERM");
    expect(await cluster.server!.proc.exited).toBe(0);
    const r = cluster.cli(["audit", "verify"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/audit log OK: \d+ entries/);
    expect(cluster.cli(["jobs"]).exitCode).toBe(3);
  });

  test("audit verify exits 1 and names the entry after someone edits the database", () => {
    const db = new Database(cluster.paths.dbPath);
    db.run("UPDATE audit SET data = json_set(data, '$.reason', 'nothing to see') WHERE seq = 4");
    db.close();
    const r = cluster.cli(["audit", "verify"]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/BROKEN at entry #4 \(edited\)/);
  });
});
