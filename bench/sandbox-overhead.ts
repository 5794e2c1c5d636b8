/**
 * Per-command cost of the sandbox: `true` run through `runCommand` unsandboxed (`sandbox: "off"`) and
 * sandboxed (bwrap with every namespace, the hidden paths, sized /tmp and /dev/shm, the seccomp filter,
 * rlimits set by the shell and, where available, a pids and memory cgroup), --runs times each, interleaved so both see the same machine load. Also sandboxed with the
 * network granted (no network namespace to create). Overhead = sandboxed minus unsandboxed, per percentile.
 * Run: bun bench/sandbox-overhead.ts [--runs=50]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findBwrap } from "../src/sandbox/bwrap-binary.ts";
import { cgroupControllers } from "../src/sandbox/command-cgroup.ts";
import { processLimitMode } from "../src/sandbox/probe.ts";
import { resolveSandboxSpec } from "../src/sandbox/resolve-spec.ts";
import { DEFAULT_SANDBOX_SETTINGS } from "../src/sandbox/sandbox-settings.ts";
import type { CommandSandbox } from "../src/sandbox/sandbox-for.ts";
import { runCommand } from "../src/sandbox/run-command.ts";
import { numArg, percentile, verdict } from "./bench-util.ts";

const TARGET_OVERHEAD_MS = 20;
const runs = Math.max(5, numArg("runs", 50));
const dir = mkdtempSync(join(tmpdir(), "pushpals-bench-sandbox-"));
const signal = new AbortController().signal;

async function once(sandbox: CommandSandbox): Promise<number> {
  const started = performance.now();
  const r = await runCommand("true", { cwd: dir, timeoutMs: 10_000, signal, sandbox, onLine: () => {} });
  if (r.exitCode !== 0) throw new Error(`true exited ${r.exitCode ?? r.signal} (${sandbox === "off" ? "off" : "sandboxed"}): ${r.tail.join(" | ")}`);
  return performance.now() - started;
}

const ms = (n: number) => n.toFixed(1).padStart(6);

try {
  const bwrap = findBwrap();
  if (!bwrap) throw new Error("bwrap is not installed (apt-get install bubblewrap)");
  const isolated = resolveSandboxSpec({ writableDir: dir, network: false, settings: DEFAULT_SANDBOX_SETTINGS });
  const online = { ...isolated, network: true };
  const variants: [string, CommandSandbox][] = [["unsandboxed", "off"], ["sandboxed", isolated], ["sandboxed, network granted", online]];
  const times = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (const [, sandbox] of variants) await once(sandbox); // warm-up: page cache, bwrap loaded
  for (let i = 0; i < runs; i++) for (const [name, sandbox] of variants) times.get(name)!.push(await once(sandbox));

  const stats = (name: string) => {
    const sorted = [...times.get(name)!].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  const base = stats("unsandboxed");
  console.log(`sandbox-overhead: \`true\` via runCommand, ${runs} runs each, bubblewrap ${bwrap.version}, process limit by ${{ cgroup: "pids cgroup", rlimit: "RLIMIT_NPROC", none: "nothing (root without a pids cgroup)" }[processLimitMode()]}, memory limit by ${cgroupControllers().memory ? "memory cgroup" : "RLIMIT_AS"}`);
  console.log(`  ${"".padEnd(28)}  median     p99   overhead median / p99`);
  for (const [name] of variants) {
    const s = stats(name);
    const over = name === "unsandboxed" ? "" : `   ${ms(s.p50 - base.p50)} / ${ms(s.p99 - base.p99)} ms`;
    console.log(`  ${name.padEnd(28)} ${ms(s.p50)}  ${ms(s.p99)} ms${over}`);
  }
  const sandboxed = stats("sandboxed");
  verdict(sandboxed.p50 - base.p50 < TARGET_OVERHEAD_MS, `sandbox overhead median ${ms(sandboxed.p50 - base.p50).trim()} ms (target < ${TARGET_OVERHEAD_MS} ms), p99 ${ms(sandboxed.p99 - base.p99).trim()} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
