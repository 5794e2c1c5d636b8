import { commandEnv, sandboxEnv } from "./command-env.ts";
import { bwrapArgs, cpuLimitScript } from "./bwrap-args.ts";
import { findBwrap } from "./bwrap-binary.ts";
import { createCommandCgroup, type CommandCgroup } from "./command-cgroup.ts";
import { seccompFilterFile } from "./seccomp-file.ts";
import type { CommandSandbox } from "./sandbox-for.ts";

/** The sandbox was asked for but cannot be started on this machine (preflight PP009 says the same). */
export class SandboxUnavailable extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = "SandboxUnavailable";
  }
}

export interface Launch {
  /** Shell lines run before exec (after run-command's watchdog): enter the cgroup, set the rlimits, open the seccomp filter. */
  prelude: string;
  /** What to exec then to run the command. */
  argv: string[];
  /** The environment of that process; inside the sandbox bwrap replaces it with the command's own. */
  env: Record<string, string>;
  /** Removed once the command is done (see `CommandCgroup.release`). */
  cgroup: CommandCgroup | null;
  /** Bytes of resident memory run-command must hold the command to itself: set when no memory cgroup does. */
  watchMemoryBytes: number | null;
}

// bwrap's own two processes (the monitor outside, pid 1 inside) run in the cgroup next to the command's.
const BWRAP_PROCESSES = 2;
/** The fd the prelude opens the seccomp program on; bwrap reads it to the end and closes it before the command runs. */
const SECCOMP_FD = 3;

export function launchCommand(command: string, sandbox: CommandSandbox, options: { cwd: string; env?: Record<string, string> }): Launch {
  if (sandbox === "off") return { prelude: "", argv: ["sh", "-c", command], env: commandEnv(options.env), cgroup: null, watchMemoryBytes: null };
  const bwrap = findBwrap();
  if (!bwrap) throw new SandboxUnavailable("bubblewrap (bwrap) is not installed, so the command cannot be sandboxed", "apt-get install bubblewrap");
  const env = sandboxEnv({ ...sandbox.env, ...options.env });
  const filter = seccompFilterFile();
  const memoryBytes = sandbox.limits.memoryMb * 1024 * 1024;
  const cgroup = createCommandCgroup({ maxPids: sandbox.limits.maxProcesses + BWRAP_PROCESSES, memoryBytes });
  const limitProcesses = !cgroup?.pids && process.getuid?.() !== 0;
  const seccompFd = filter ? SECCOMP_FD : undefined;
  const args = bwrapArgs(sandbox, { cwd: options.cwd, env, features: bwrap.features, command, limitProcesses, seccompFd });
  // Entering the cgroup happens after run-command started its watchdog, which so stays out of the count.
  const enter = (cgroup?.procsFiles ?? []).map((file) => `echo $$ > ${quote(file)} || { echo 'pushpals: cannot enter the command cgroup' >&2; exit 125; }\n`).join("");
  const open = filter ? `exec ${SECCOMP_FD}< ${quote(filter)} || { echo 'pushpals: cannot open the seccomp filter' >&2; exit 125; }\n` : "";
  const limits = cpuLimitScript(sandbox.limits);
  return { prelude: enter + open + limits, argv: [bwrap.path, ...args], env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, cgroup, watchMemoryBytes: cgroup?.memory ? null : memoryBytes };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
