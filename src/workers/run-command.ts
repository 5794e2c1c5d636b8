import { LineRedactor } from "../secrets/redact.ts";
import { commandEnv } from "./command-env.ts";

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  /** The last lines of output, for failure evidence. */
  tail: string[];
}

export interface RunOptions {
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal;
  env?: Record<string, string>;
  onLine: (stream: "stdout" | "stderr", line: string) => void;
  tailLines?: number;
}

/**
 * Runs one shell command in its own process group, streaming its output line by line. Timeout and
 * abort kill the whole group (a test runner's children included), never just the shell.
 */
export async function runCommand(command: string, options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const tail: string[] = [];
  const tailLines = options.tailLines ?? 40;
  // The watchdog kills the command's whole process group if this worker dies (even by kill -9), so a
  // dead worker never leaves a test runner behind. It exits with the group when the command ends.
  const watchdog = `(while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 -$$) >/dev/null 2>&1 </dev/null &`;
  const child = Bun.spawn(["sh", "-c", `${watchdog}\nexec sh -c "$1"`, "pushpals-command", command], {
    cwd: options.cwd,
    env: commandEnv(options.env),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  let timedOut = false;
  let aborted = false;
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
    for await (const chunk of stream) {
      partial += decoder.decode(chunk, { stream: true });
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) emit(line);
    }
    if (partial) emit(partial);
  };
  const pumps = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]);
  await child.exited;
  clearTimeout(timer);
  options.signal.removeEventListener("abort", onAbort);
  // The command is done: anything it left running in the background (holding the pipes open) goes
  // with its process group, so a stray daemon neither outlives the job nor turns it into a timeout.
  killGroup();
  await pumps;
  return {
    exitCode: child.exitCode,
    signal: child.signalCode === null ? null : String(child.signalCode),
    durationMs: Math.round(performance.now() - started),
    timedOut,
    aborted,
    tail,
  };
}
