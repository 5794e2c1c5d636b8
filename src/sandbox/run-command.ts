import { launchCommand, SandboxUnavailable, type Launch } from "./launch.ts";
import type { CommandSandbox } from "./sandbox-for.ts";
import { LineRedactor } from "../secrets/redact.ts";
import { JobFailure } from "../core/job-failure.ts";
import { watchMemory } from "./memory-watch.ts";

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  /** Killed for writing more than the output cap (stdout and stderr together). */
  outputLimited: boolean;
  /** Ran out of its memory (sandbox.memory_mb): the memory cgroup's OOM killer, or the resident-memory watch, stopped it. */
  outOfMemory: boolean;
  /** The last lines of output, for failure evidence. */
  tail: string[];
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  /** Required, so no caller can forget it: `sandboxFor(...)`, which is "off" only when the worker's config says so. */
  sandbox: CommandSandbox;
  /** On top of the allowlisted environment (see command-env.ts). */
  env?: Record<string, string>;
  onLine: (stream: "stdout" | "stderr", line: string) => void;
  tailLines?: number;
}

/** The output cap when the sandbox is off (with a sandbox it is the spec's `maxOutputBytes`). */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Runs one shell command in its own process group (and, unless the sandbox is off, inside bubblewrap),
 * streaming its output line by line. Timeout, abort and the output cap kill the whole group (a test
 * runner's children included), never just the shell.
 */
export async function runCommand(command: string, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const tail: string[] = [];
  const tailLines = options.tailLines ?? 40;
  const maxOutputBytes = options.sandbox === "off" ? DEFAULT_MAX_OUTPUT_BYTES : options.sandbox.limits.maxOutputBytes;
  const launch = prepare(command, options);
  // The watchdog kills the command's whole process group if this worker dies (even by kill -9), so a
  // dead worker never leaves a test runner behind. It exits with the group when the command ends.
  const watchdog = `(while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 -$$) >/dev/null 2>&1 </dev/null &`;
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn(["sh", "-c", `${watchdog}\n${launch.prelude}\nexec "$@"`, "pushpals-command", ...launch.argv], {
      cwd: options.cwd,
      env: launch.env,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (err) {
    await launch.cgroup?.release();
    throw err;
  }
  let timedOut = false;
  let aborted = false;
  let outputLimited = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.timeoutMs);
  const onAbort = () => {
    aborted = true;
    killGroup();
  };
  if (options.signal.aborted) onAbort();
  options.signal.addEventListener("abort", onAbort);
  let outOfMemory = false;
  const stopWatch = launch.watchMemoryBytes
    ? watchMemory(child.pid, launch.watchMemoryBytes, () => {
        outOfMemory = true;
        killGroup();
      })
    : () => {};

  let outputBytes = 0;
  const pump = async (stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr") => {
    const decoder = new TextDecoder();
    const redactor = new LineRedactor();
    let partial = "";
    const emit = (raw: string) => {
      const line = redactor.line(raw);
      options.onLine(name, line);
      tail.push(line);
      if (tail.length > tailLines) tail.shift();
    };
    for await (const read of stream) {
      if (outputLimited) continue;
      let chunk = read;
      if (outputBytes + chunk.byteLength > maxOutputBytes) {
        // The output up to the cap still arrives: one read can hold the first lines and far more.
        chunk = chunk.subarray(0, maxOutputBytes - outputBytes);
        outputLimited = true;
        killGroup();
      }
      outputBytes += chunk.byteLength;
      partial += decoder.decode(chunk, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) emit(line);
    }
    if (partial) emit(partial);
  };
  const pumps = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]);
  await child.exited;
  stopWatch();
  clearTimeout(timer);
  options.signal.removeEventListener("abort", onAbort);
  // The command is done: anything it left running in the background (holding the pipes open) goes
  // with its process group, so a stray daemon neither outlives the job nor turns it into a timeout.
  killGroup();
  await pumps;
  if (launch.cgroup && launch.cgroup.oomKills() > 0) outOfMemory = true;
  await launch.cgroup?.release();
  return {
    exitCode: child.exitCode,
    signal: child.signalCode === null ? null : String(child.signalCode),
    durationMs: Math.round(performance.now() - started),
    timedOut,
    aborted,
    outputLimited,
    outOfMemory,
    tail,
  };
}

function prepare(command: string, options: RunOptions): Launch {
  try {
    return launchCommand(command, options.sandbox, { cwd: options.cwd, env: options.env });
  } catch (err) {
    if (err instanceof SandboxUnavailable) throw new JobFailure("environment", `${err.message}: ${err.fix}, or (last resort) set sandbox.mode = "off"`, { command });
    if (err instanceof Error) throw new JobFailure("environment", err.message, { command });
    throw err;
  }
}
