/** CLI start-up (issue #14): wall time of `pushpals --version`, `--help` and `status --help` against the bare Bun runtime. */
import { resolve } from "node:path";
import { numArg } from "./bench-util.ts";

const runs = numArg("runs", 20);
const bin = resolve(import.meta.dir, "../bin/pushpals");
const cases: [string, string[]][] = [
  ["bun -e ''", [process.execPath, "-e", ""]],
  ["pushpals --version", [bin, "--version"]],
  ["pushpals --help", [bin, "--help"]],
  ["pushpals status --help", [bin, "status", "--help"]],
];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const medians: Record<string, number> = {};
for (const [label, cmd] of cases) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const proc = Bun.spawnSync(cmd, { stdout: "ignore", stderr: "ignore" });
    times.push(performance.now() - t0);
    if (proc.exitCode !== 0) throw new Error(`${label} exited ${proc.exitCode}`);
  }
  times.sort((a, b) => a - b);
  medians[label] = pct(times, 50);
  console.log(`${label.padEnd(24)} median ${pct(times, 50).toFixed(1)} ms  p99 ${pct(times, 99).toFixed(1)} ms`);
}
const overhead = medians["pushpals --version"]! - medians["bun -e ''"]!;
console.log(`--version over the runtime: ${overhead.toFixed(1)} ms`);
console.log(overhead < 50 ? "PASS (target: --version median < 50 ms over bun -e '')" : "MISS (target: --version median < 50 ms over bun -e '')");
