import type { JobContext } from "./job-context.ts";

const TAIL_LINES = 20;
const TAIL_LINE_CHARS = 400;

/**
 * The context with the commands' output lines (already redacted line by line by runCommand) also kept,
 * the last `lines` of them, each cut at 400 characters: a run's evidence, bounded (at most ~8 KiB).
 */
export function outputTail(ctx: JobContext, lines = TAIL_LINES): { ctx: JobContext; excerpt: () => string } {
  const kept: string[] = [];
  const log: JobContext["log"] = (stream, line) => {
    if (stream !== "system") {
      kept.push(line.length > TAIL_LINE_CHARS ? `${line.slice(0, TAIL_LINE_CHARS)}…` : line);
      if (kept.length > lines) kept.shift();
    }
    ctx.log(stream, line);
  };
  return { ctx: { ...ctx, log }, excerpt: () => kept.join("\n") };
}
