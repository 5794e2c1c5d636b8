import { readSse } from "../client/sse-reader.ts";
import type { LogLine } from "../api/records.ts";
import { routes } from "../api/routes.ts";
import { checkedOutBranch } from "../scm/branches.ts";
import type { CliContext } from "./context.ts";
import { visibleLine } from "../core/safe-text.ts";
import { style } from "./style.ts";

export async function currentBranch(ctx: CliContext): Promise<string> {
  return (await checkedOutBranch(ctx.paths.repoRoot)) ?? "HEAD";
}

/** Streams the job's log until it ends; progress lines keep a long check from looking hung. */
export async function follow(ctx: CliContext, jobId: string, print: boolean): Promise<void> {
  const res = await ctx.client.stream(routes.jobLogs, { params: { id: jobId } });
  for await (const message of readSse(res.body!)) {
    if (message.event === "log" && print) {
      const line = JSON.parse(message.data) as LogLine; // a `log` message carries one LogLine
      const text = visibleLine(line.line);
      process.stdout.write(line.stream === "system" ? `${style.dim(`# ${text}`)}\n` : `  ${text}\n`);
    }
    if (message.event === "end") return;
  }
}
