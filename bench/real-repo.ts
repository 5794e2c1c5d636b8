/**
 * Time from `init` to the first PR opened on a local git repository, as a new user meets it: a clone of
 * the repository, `pushpals init` (its config committed), `pushpals start`, then one `pushpals run` of a
 * trivial change. Split into the repository's own work (the dependency install and each check, as the
 * audit log's `command.ran` entries time them, and the change's command) and PushPals' own overhead
 * (everything else: starting, worktrees, sandboxes, commits, review, the PR), reported as a share of
 * install plus checks. The install runs cold: the clone starts with an empty dependency cache. On the
 * bundled example, whose install and checks take about two seconds, PushPals' fixed costs (start, one
 * job's setup) dominate the share; the 10 % target is meant for real repositories.
 * Run: bun bench/real-repo.ts [path-to-a-git-repo]   (default: the bundled example repository)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parse } from "smol-toml";
import { verdict } from "./bench-util.ts";

const TARGET_SHARE = 0.1;
const bin = resolve(import.meta.dir, "../bin/pushpals");
const example = resolve(import.meta.dir, "../examples/sample-repo");
const source = process.argv.slice(2).find((a) => !a.startsWith("--"));

function git(cwd: string, ...args: string[]): string {
  const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

function cli(repo: string, ...args: string[]): string {
  const r = Bun.spawnSync([bin, ...args], { cwd: repo, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`pushpals ${args.join(" ")} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  return r.stdout.toString();
}

/** A private copy to work on: a clone of the given repository, or the example committed into a new one. */
function workCopy(dir: string): string {
  const repo = join(dir, "repo");
  if (source) {
    git(dir, "clone", "-q", "--no-hardlinks", resolve(source), repo);
    return repo;
  }
  cpSync(example, repo, { recursive: true, filter: (p) => !["node_modules", "dist"].includes(basename(p)) });
  git(repo, "init", "-q", "-b", "main");
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "example");
  return repo;
}

interface Ran {
  command: string;
  durationMs: number;
}

function commandsRan(repo: string): Ran[] {
  return cli(repo, "audit", "export")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { action: string; data: Ran })
    .filter((e) => e.action === "command.ran")
    .map((e) => e.data);
}

const ms = (n: number) => `${Math.round(n)} ms`;
const dir = mkdtempSync(join(tmpdir(), "pushpals-bench-real-"));
const repo = workCopy(dir);
try {
  const started = performance.now();
  cli(repo, "init");
  git(repo, "add", ".pushpals");
  git(repo, "commit", "-q", "-m", "pushpals config");
  const initialized = performance.now();
  cli(repo, "start", "--detach", "--workers", "1");
  const online = performance.now();
  const change = "echo 'bench' > PUSHPALS_BENCH.md";
  const opened = JSON.parse(cli(repo, "run", "--json", "--scope", "PUSHPALS_BENCH.md", "--title", "bench", "--", change)) as { pr?: { number: number } };
  const total = performance.now() - started;
  const runMs = performance.now() - online;
  if (!opened.pr) throw new Error("the run opened no PR");

  const checks = ((parse(readFileSync(join(repo, ".pushpals/config.toml"), "utf8")) as { checks?: { commands?: { name: string; run: string }[] } }).checks?.commands ?? []);
  const ran = commandsRan(repo);
  const checkTimes = checks.map((c) => ({ name: c.name, ms: ran.filter((r) => r.command === c.run).reduce((n, r) => n + r.durationMs, 0) }));
  const changeMs = ran.filter((r) => r.command === change).reduce((n, r) => n + r.durationMs, 0);
  const checkRuns = new Set(checks.map((c) => c.run));
  // What is neither a check nor the change is the package manager's: the install and its version probes.
  const installMs = ran.filter((r) => !checkRuns.has(r.command) && r.command !== change).reduce((n, r) => n + r.durationMs, 0);
  const checksMs = checkTimes.reduce((n, c) => n + c.ms, 0);
  const overhead = total - installMs - checksMs - changeMs;
  const share = overhead / Math.max(1, installMs + checksMs);

  console.log(`${source ? resolve(source) : "example repository"}: init to PR #${opened.pr.number} in ${ms(total)}`);
  console.log(`  install (cold, package manager probes included) ${ms(installMs)}`);
  for (const c of checkTimes) console.log(`  check ${c.name} ${ms(c.ms)}`);
  console.log(`  the change's command ${ms(changeMs)}`);
  console.log(`  PushPals' own overhead ${ms(overhead)} = ${(share * 100).toFixed(1)} % of install plus checks: init ${ms(initialized - started)}, start ${ms(online - initialized)}, the run job around its commands ${ms(runMs - installMs - checksMs - changeMs)}`);
  verdict(share <= TARGET_SHARE, `PushPals' overhead ${(share * 100).toFixed(1)} % of install plus checks (target <= ${TARGET_SHARE * 100} %)`);
} finally {
  Bun.spawnSync([bin, "stop"], { cwd: repo, stdout: "ignore", stderr: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}
