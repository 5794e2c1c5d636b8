/**
 * The Quickstart demo: the golden path on the bundled example package (examples/sample-repo), with the
 * real CLI as separate processes. It copies the example to a temp dir, makes it a git repository, then
 * runs `pushpals init`, `start --detach --workers 2`, `check --wait`, then a codemod as a PR
 * (`run`, `pr --diff`, `pr merge`), `status` and `stop`. Exit 0 only when the checks passed and the PR
 * merged. The runtime is always stopped and the temp dir always removed.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";

const bin = resolve(import.meta.dir, "../bin/pushpals");
const example = resolve(import.meta.dir, "sample-repo");
const repo = mkdtempSync(join(tmpdir(), "pushpals-demo-"));

// The Quickstart must work with only Node, npm and git. Without bubblewrap the demo (on its own bundled
// example) runs with the sandbox off, and says so; on a real repository `start` refuses (PP009).
const demoEnv: Record<string, string> = Bun.which("bwrap") ? {} : { PUSHPALS_SANDBOX_MODE: "off" };
if (demoEnv.PUSHPALS_SANDBOX_MODE) {
  console.log("NOTE: bubblewrap is not installed, so this demo runs its commands WITHOUT the sandbox.");
  console.log("      Install it (apt-get install bubblewrap) before using PushPals on a real repository.");
}

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function git(...args: string[]): void {
  const identity = ["-c", "user.name=PushPals Demo", "-c", "user.email=demo@example.invalid", "-c", "commit.gpgsign=false"];
  const r = Bun.spawnSync(["git", ...identity, ...args], { cwd: repo, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")} exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
}

/** Runs one CLI command with its output on this terminal; returns its exit code and wall time. */
function pushpals(...args: string[]): { code: number; seconds: number } {
  console.log(`\n${bold(`== pushpals ${args.join(" ")}`)}`);
  const t0 = performance.now();
  const r = Bun.spawnSync([bin, ...args], { cwd: repo, stdin: "ignore", stdout: "inherit", stderr: "inherit", env: { ...process.env, ...demoEnv } });
  if (r.signalCode) throw new Error(`pushpals ${args[0]} was stopped by ${r.signalCode}`);
  return { code: r.exitCode ?? 1, seconds: (performance.now() - t0) / 1000 };
}

function must(result: { code: number; seconds: number }, what: string): number {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}`);
  return result.seconds;
}

const seconds = (s: number) => (Number.isNaN(s) ? "-" : `${s.toFixed(1)} s`);

// Ctrl-C reaches the running CLI command, which exits; the demo then stops the runtime in `finally`.
process.on("SIGINT", () => {});

let started = false;
let stopped = false;
let checks = "not run";
let onlineSeconds = Number.NaN;
let checkSeconds = Number.NaN;
let shipped = "not run";
try {
  console.log(`example package copied to ${repo}`);
  cpSync(example, repo, { recursive: true, filter: (path) => !["node_modules", "dist"].includes(basename(path)) });
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "textkit 1.4.0");

  must(pushpals("init"), "pushpals init");
  git("add", ".pushpals");
  git("commit", "-q", "-m", "Add PushPals config and policy");
  console.log("(committed .pushpals/config.toml and .pushpals/policy.toml)");

  started = true;
  onlineSeconds = must(pushpals("start", "--detach", "--workers", "2"), "pushpals start");
  const check = pushpals("check", "--wait");
  checkSeconds = check.seconds;
  checks = check.code === 0 ? "passed" : check.code === 1 ? "FAILED" : `not finished (exit ${check.code})`;
  // Routine toil as a reviewed change: the command runs sandboxed, may touch only package.json, and
  // lands only through the checks on the exact commit and a compare-and-swap of main.
  const runSeconds = must(pushpals("run", "--scope", "package.json", "--title", "Require Node.js 20 or newer", "--", "npm", "pkg", "set", "engines.node=>=20"), "pushpals run");
  must(pushpals("pr", "1", "--diff"), "pushpals pr");
  const mergeSeconds = must(pushpals("pr", "merge", "1"), "pushpals pr merge");
  shipped = `PR #1 opened in ${seconds(runSeconds)} and merged in ${seconds(mergeSeconds)}`;
  must(pushpals("status"), "pushpals status");
} catch (err) {
  console.error(`\ndemo: ${(err as Error).message}`);
} finally {
  try {
    if (started) stopped = pushpals("stop").code === 0;
  } catch (err) {
    console.error(`demo: ${(err as Error).message}`);
  }
  rmSync(repo, { recursive: true, force: true });
}

const runtime = !started ? "never started" : stopped ? "stopped" : "NOT stopped cleanly (see above)";
const summary = `checks ${checks}; online in ${seconds(onlineSeconds)} with 2 WorkerPals; check took ${seconds(checkSeconds)}; ${shipped}`;
console.log(`\n${bold(`== demo: ${summary}; runtime ${runtime}; temp repo removed`)}`);
process.exit(checks === "passed" && shipped.includes("merged") && stopped ? 0 : 1);
