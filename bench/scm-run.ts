/**
 * SCM figures: a job checkout (files, host git dir, the sandbox's shallow .git) + its removal on a repository of 10,000 files,
 * and full `pushpals run` jobs plus `pushpals pr merge` on temp copies of the bundled example
 * repository, with the runtime started once per copy (`start --detach --workers 2`, not timed).
 * Run: bun bench/scm-run.ts [--worktree-runs=10] [--runs=5]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { runtimePathsFor } from "../src/runtime-dir/paths.ts";
import { addJobCheckout, removeCheckout } from "../src/scm/worktree.ts";
import { numArg, percentile, verdict } from "./bench-util.ts";

const RUN_TARGET_MS = 2_000;
const bin = resolve(import.meta.dir, "../bin/pushpals");

function git(cwd: string, ...args: string[]): string {
  const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString().trim();
}

const stats = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
};
const ms = (n: number) => `${Math.round(n)} ms`;

async function worktreeBench(runs: number): Promise<void> {
  const repo = mkdtempSync(join(tmpdir(), "pushpals-bench-wt-"));
  try {
    git(repo, "init", "-q", "-b", "main");
    for (let d = 0; d < 100; d++) {
      mkdirSync(join(repo, `pkg${d}`));
      for (let f = 0; f < 100; f++) writeFileSync(join(repo, `pkg${d}`, `file${f}.ts`), `export const v${f} = ${d * 100 + f};\n`);
    }
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "10k files");
    const head = git(repo, "rev-parse", "HEAD");
    const paths = runtimePathsFor(repo, join(repo, ".git"));
    const add: number[] = [];
    const remove: number[] = [];
    for (let i = 0; i < runs; i++) {
      const jobId = `job_${String(i).padStart(32, "0")}`;
      const t0 = performance.now();
      const checkout = await addJobCheckout(paths, jobId, 1, head);
      const t1 = performance.now();
      removeCheckout(checkout);
      remove.push(performance.now() - t1);
      add.push(t1 - t0);
    }
    const a = stats(add);
    const r = stats(remove);
    console.log(`worktree on 10,000 files (${runs} runs): create median ${ms(a.median)} p99 ${ms(a.p99)}; remove median ${ms(r.median)} p99 ${ms(r.p99)}`);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/**
 * `pushpals run` + `pushpals pr merge` on a copy of the example repository, with its checks as `init`
 * writes them (five `npm run` scripts) or, for the target, one trivial check (`true`), so the figure is
 * PushPals' own cost rather than the repository's test suite.
 */
async function runBench(runs: number, label: string, checksToml: string | null): Promise<number> {
  const repo = mkdtempSync(join(tmpdir(), "pushpals-bench-run-"));
  const cli = (...args: string[]) => {
    const t0 = performance.now();
    const r = Bun.spawnSync([bin, ...args], { cwd: repo, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`pushpals ${args.join(" ")} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
    return { ms: performance.now() - t0, stdout: r.stdout.toString() };
  };
  try {
    cpSync(resolve(import.meta.dir, "../examples/sample-repo"), repo, { recursive: true, filter: (p) => !["node_modules", "dist"].includes(basename(p)) });
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "example");
    cli("init");
    if (checksToml !== null) writeFileSync(join(repo, ".pushpals/config.toml"), checksToml);
    git(repo, "add", ".pushpals");
    git(repo, "commit", "-q", "-m", "config");
    cli("start", "--detach", "--workers", "2");
    // One warm-up: the first install of a lockfile fills the dependency cache.
    cli("run", "--scope", "src/**", "--", "echo '// warm-up' >> src/index.js");
    const run: number[] = [];
    const merge: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = cli("run", "--json", "--scope", "src/**", "--title", `bench ${i}`, "--", `echo '// bench ${i}' >> src/index.js`);
      const pr = (JSON.parse(r.stdout) as { pr: { number: number } }).pr;
      run.push(r.ms);
      merge.push(cli("pr", "merge", String(pr.number)).ms);
    }
    const r = stats(run);
    const m = stats(merge);
    const total = stats(run.map((t, i) => t + merge[i]!));
    console.log(`${label}, ${runs} runs: run (worktree, deps from cache, sandboxed command, commit, checks, PR) median ${ms(r.median)} p99 ${ms(r.p99)}; merge (fast-forward) median ${ms(m.median)}; together median ${ms(total.median)}`);
    return total.median;
  } finally {
    Bun.spawnSync([bin, "stop"], { cwd: repo, stdout: "ignore", stderr: "ignore" });
    rmSync(repo, { recursive: true, force: true });
  }
}

await worktreeBench(Math.max(1, numArg("worktree-runs", 10)));
const runs = Math.max(1, numArg("runs", 5));
await runBench(runs, "example repository, its 5 checks", null);
const trivial = await runBench(runs, "example repository, one trivial check", '[[checks.commands]]\nname = "ok"\nrun = "true"\n');
verdict(trivial < RUN_TARGET_MS, `full trivial run job + merge median ${ms(trivial)} (target < ${ms(RUN_TARGET_MS)})`);
