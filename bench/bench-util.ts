/** Small helpers shared by the benchmark scripts: arguments, temp stores, child processes, statistics. */
import { cpSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import type { Subprocess } from "bun";
import type { AppOptions } from "../src/server/app.ts";
import { SqliteStore } from "../src/store/sqlite-store.ts";

/** `--name=value` from the command line, or the fallback. */
export function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length) ?? fallback;
}

export function numArg(name: string, fallback: number): number {
  const value = Number(arg(name, String(fallback)));
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`);
  return value;
}

/** A fresh store in its own temp dir (the server's socket goes there too); `dispose` closes it and removes the dir. */
export function tempStore(label: string): { store: SqliteStore; dir: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), `pushpals-bench-${label}-`));
  const store = new SqliteStore(join(dir, "pushpals.db"));
  return {
    store,
    dir,
    dispose() {
      try {
        store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The server settings `pushpals serve` uses, on a free loopback port, its socket in `dir`. */
export const appOptions = (dir: string): AppOptions => ({
  host: "127.0.0.1",
  port: 0,
  socket: join(dir, "api.sock"),
  maxBodyBytes: 1 << 20,
  tickMs: 250,
  sse: { heartbeatMs: 15_000, pageSize: 500, maxQueuedChunks: 10_000 },
  jobs: {},
});

/** Runs this same script again as a child (`--role=...`), stdout piped for `lines`, killed after `timeoutMs`. */
export function spawnSelf(args: string[], timeoutMs: number): Subprocess<"ignore", "pipe", "inherit"> {
  const child = Bun.spawn([process.execPath, process.argv[1]!, ...args], { stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  void child.exited.then(() => clearTimeout(timer));
  return child;
}

/** Splits a byte stream into lines. */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl = buffer.indexOf("\n");
    while (nl !== -1) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf("\n");
    }
  }
  if (buffer) yield buffer;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export const fmt = (n: number): string => Math.round(n).toLocaleString("en");

/** CPU time (user+system, ms) this process used since `since`. */
export function cpuMs(since?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

export function verdict(pass: boolean, text: string): void {
  console.log(`${pass ? "PASS" : "MISS"} ${text}`);
}

export interface CliRun {
  code: number | null;
  ms: number;
  output: string;
}

/**
 * A temp git copy of `examples/sample-repo` (no node_modules or dist) with `pushpals init` run once,
 * and `pushpals` as a child process in it, timed, killed past `timeoutMs`.
 */
export async function exampleRepo(label: string, timeoutMs = 60_000): Promise<{ repo: string; pushpals: (args: string[]) => Promise<CliRun>; dispose: () => void }> {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), `pushpals-bench-${label}-`)));
  const bin = resolve(import.meta.dir, "../bin/pushpals");
  const pushpals = async (args: string[]): Promise<CliRun> => {
    const t0 = performance.now();
    const child = Bun.spawn([bin, ...args], { cwd: repo, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    clearTimeout(timer);
    return { code, ms: performance.now() - t0, output: stdout + stderr };
  };
  const git = (...args: string[]) => {
    const identity = ["-c", "user.name=PushPals Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"];
    const r = Bun.spawnSync(["git", ...identity, ...args], { cwd: repo, stdout: "ignore", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.toString().trim()}`);
  };
  const dispose = () => rmSync(repo, { recursive: true, force: true });
  try {
    cpSync(resolve(import.meta.dir, "../examples/sample-repo"), repo, { recursive: true, filter: (path) => !["node_modules", "dist"].includes(basename(path)) });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "example");
    const init = await pushpals(["init"]);
    if (init.code !== 0) throw new Error(`pushpals init exited ${init.code}:\n${init.output}`);
  } catch (err) {
    dispose();
    throw err;
  }
  return { repo, pushpals, dispose };
}
