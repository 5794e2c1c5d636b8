import { PushpalsError } from "../errors/pushpals-error.ts";

export interface GitOptions {
  cwd: string;
  timeoutMs?: number;
  /** Return the failed result instead of throwing. */
  allowFailure?: boolean;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs the real git CLI with a bounded time, no hooks (agent work must not run repository hooks),
 * no prompts, and a fixed locale so output can be parsed.
 */
export async function git(args: string[], options: GitOptions): Promise<GitResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = Bun.spawn(["git", "-c", "core.hooksPath=/dev/null", ...args], {
    cwd: options.cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0" },
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  if (child.signalCode) {
    throw new PushpalsError("git_failed", `git ${args[0]} did not finish within ${timeoutMs} ms (killed)`, {
      hint: "check for a hung credential helper, a huge repository or a slow disk",
      details: { args },
    });
  }
  if (exitCode !== 0 && !options.allowFailure) {
    throw new PushpalsError("git_failed", `git ${args.join(" ")} failed (exit ${exitCode}): ${stderr.trim() || stdout.trim()}`, {
      details: { args, exitCode },
    });
  }
  return { stdout, stderr, exitCode };
}
