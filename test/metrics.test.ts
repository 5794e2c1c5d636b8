import { afterAll, expect, test } from "bun:test";
import { readServerInfo } from "../src/runtime-dir/server-file.ts";
import type { MetricsSnapshot } from "../src/metrics/metrics-snapshot.ts";
import { makeRepo, PUSHPALS_BIN } from "./helpers/cluster.ts";

/**
 * `pushpals metrics` over a real runtime: `start` records its time to online, a PR opens and merges on
 * its own commits, and the CLI, the JSON route and the Prometheus text on the loopback URL all report it.
 */

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

test("pushpals metrics after a start, a PR and its merge: text, --json, --since, --help and GET /metrics", async () => {
  const repo = await makeRepo({ configToml: '[[checks.commands]]\nname = "ok"\nrun = "true"\n', files: { "src/a.txt": "one\n" } });
  cleanups.push(repo.cleanup);
  const cli = (args: string[]) => {
    const r = Bun.spawnSync([PUSHPALS_BIN, ...args], { cwd: repo.root, stdout: "pipe", stderr: "pipe" });
    return { exitCode: r.exitCode, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  cleanups.unshift(() => void cli(["stop"]));

  const help = cli(["metrics", "--help"]);
  expect(help.exitCode).toBe(0);
  expect(help.stdout).toContain("autonomous merge rate: of the PRs opened in the window that merged");
  expect(help.stdout).toContain("more than 2 counted attempts");
  expect(help.stdout).toMatch(/Examples:\n {2}pushpals metrics/);

  const start = cli(["start", "--detach", "--workers", "1"]);
  expect(start.stdout + start.stderr).toContain("all systems online");
  const run = cli(["run", "--scope", "src/**", "--", "echo two >> src/a.txt"]);
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  const merge = cli(["pr", "merge", "1"]);
  expect(merge.exitCode, merge.stdout + merge.stderr).toBe(0);

  const json = cli(["metrics", "--json"]);
  expect(json.exitCode, json.stderr).toBe(0);
  const m = JSON.parse(json.stdout) as MetricsSnapshot;
  expect(m.since).toBeNull();
  expect(m.install.secondsToFirstPr).toBeGreaterThan(0);
  expect(m.online.runs).toBe(1);
  expect(m.online.lastSeconds).toBeGreaterThan(0);
  expect(m.merges).toEqual({ merged: 1, autonomous: 1, rate: 1 });
  expect(m.rework).toEqual({ prs: 1, reworked: 0, rate: 0 });
  expect(m.jobs.byKind.map((k) => [k.kind, k.rate])).toEqual(expect.arrayContaining([["merge", 1], ["run", 1]]));
  expect(m.queue.stuck).toBe(0);

  const text = cli(["metrics", "--since", "1h"]);
  expect(text.exitCode, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/^metrics, since \d{4}-\d\d-\d\dT.* \(1h\)\n/);
  expect(text.stdout).toMatch(/ {2}autonomous merge rate +100% \(1 of 1 merged PRs\)\n/);
  expect(text.stdout).toMatch(/ {2}rework rate +0% \(0 of 1 PRs\)\n/);
  expect(text.stdout).toMatch(/ {2}time to online +\d+\.\d s last run, \d+\.\d s median of 1\n/);
  expect(text.stdout).toMatch(/ {4}run +100% \(1 of 1 finished jobs\)\n/);

  const bad = cli(["metrics", "--since", "a week"]);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toContain("since: must be a duration like 30m, 24h, 7d or 2w");

  // What a Prometheus server scrapes: the read-only loopback listener.
  const url = readServerInfo(repo.paths.serverFile)!.url;
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  const body = await res.text();
  expect(body).toContain("# TYPE pushpals_autonomous_merge_ratio gauge\npushpals_autonomous_merge_ratio 1\n");
  expect(body).toContain('pushpals_job_success_ratio{kind="run"} 1\n');
  expect(body).toContain("pushpals_online_runs 1\n");

  expect(cli(["stop"]).exitCode).toBe(0);
}, 90_000);
