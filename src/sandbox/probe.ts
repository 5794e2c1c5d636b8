import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "./run-command.ts";
import { findBwrap } from "./bwrap-binary.ts";
import { cgroupControllers } from "./command-cgroup.ts";
import { seccompFilterFile } from "./seccomp-file.ts";
import { resolveSandboxSpec } from "./resolve-spec.ts";
import type { SandboxSettings } from "./sandbox-settings.ts";

/** How the process limit is enforced: a pids cgroup, RLIMIT_NPROC (not root), or not at all (root without a cgroup). */
export type ProcessLimit = "cgroup" | "rlimit" | "none";

/** Which limits hold on this machine, for this user (with a working probe, bwrap accepted every one of them). */
export interface SandboxEnforcement {
  /** A memory cgroup caps the command as a whole; otherwise run-command's resident-memory watch (sampled). */
  memory: "cgroup" | "watched";
  processes: ProcessLimit;
  /** /tmp and /dev/shm are tmpfs mounts sized within sandbox.memory_mb (bwrap has --size). */
  tmpfsSized: boolean;
  /** The seccomp filter refusing ptrace is installed (an architecture it is written for). */
  ptraceFilter: boolean;
}

export type SandboxProbe =
  | { ok: true; version: string; enforced: SandboxEnforcement }
  | { ok: false; problem: string; fix: string };

const LAST_RESORT = 'or, as a last resort, set sandbox.mode = "off" in .pushpals/config.toml';
const USERNS_FIX =
  "enable unprivileged user namespaces (sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 23.10+ also " +
  `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0), ${LAST_RESORT}`;

/**
 * Starts one real sandbox exactly as a job's command would (same arguments, limits and cgroup), running
 * a command that writes to its writable directory. Proves bwrap is installed and can create namespaces here.
 */
export async function probeSandbox(settings: SandboxSettings, timeoutMs = 5_000): Promise<SandboxProbe> {
  const bwrap = findBwrap();
  if (!bwrap) return { ok: false, problem: "bubblewrap (bwrap) is not installed, so job commands cannot be sandboxed", fix: `install it: apt-get install bubblewrap, ${LAST_RESORT}` };
  const dir = mkdtempSync(join(tmpdir(), "pushpals-sandbox-probe-"));
  try {
    const sandbox = resolveSandboxSpec({ writableDir: dir, network: false, settings });
    const lines: string[] = [];
    const run = await runCommand("echo ok > probe && cat probe", {
      cwd: dir,
      timeoutMs,
      signal: AbortSignal.timeout(timeoutMs + 1_000),
      sandbox,
      onLine: (_stream, line) => lines.push(line),
    });
    if (run.exitCode === 0 && lines.includes("ok")) {
      const enforced: SandboxEnforcement = {
        memory: cgroupControllers().memory ? "cgroup" : "watched",
        processes: processLimitMode(),
        tmpfsSized: bwrap.features.tmpfsSize,
        ptraceFilter: seccompFilterFile() !== null,
      };
      return { ok: true, version: bwrap.version, enforced };
    }
    const why = run.timedOut ? `did not finish within ${timeoutMs / 1000} s` : lines.find((l) => l.trim()) ?? `exited ${run.exitCode ?? run.signal}`;
    return { ok: false, problem: `bubblewrap ${bwrap.version} cannot start a sandbox here: ${why}`, fix: USERNS_FIX };
  } catch (err) {
    return { ok: false, problem: `bubblewrap ${bwrap.version} cannot start a sandbox here: ${(err as Error).message}`, fix: USERNS_FIX };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How sandbox.max_processes is enforced on this machine, for this user. */
export function processLimitMode(): ProcessLimit {
  if (cgroupControllers().pids) return "cgroup";
  return process.getuid?.() === 0 ? "none" : "rlimit";
}
