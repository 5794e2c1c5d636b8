import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { readSse } from "../../client/sse-reader.ts";
import { isPushpalsError, PushpalsError } from "../../core/errors.ts";
import type { PushpalsEvent } from "../../events/registry.ts";
import type { LogLine } from "../../api/records.ts";
import { cliContext } from "../context.ts";
import { visible, visibleLine } from "../../core/safe-text.ts";

export async function runLogs(program: Command, id: string, opts: { follow?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const print = (l: LogLine) =>
    process.stdout.write(opts.json ? `${JSON.stringify(l)}\n` : `${l.stream === "stderr" ? "! " : l.stream === "system" ? "# " : ""}${visibleLine(l.line)}\n`);
  const params = { id };
  if (!opts.follow) {
    let after = 0;
    for (;;) {
      const data = await ctx.client.call(routes.jobLogs, { params, query: { after, limit: 5000 } });
      data.lines.forEach(print);
      if (data.lines.length < 5000) return;
      after = data.lines[data.lines.length - 1]!.id;
    }
  }
  const res = await ctx.client.stream(routes.jobLogs, { params });
  for await (const message of lostConnectionIsUnreachable(readSse(res.body!))) {
    if (message.event === "log") print(JSON.parse(message.data) as LogLine);
    if (message.event === "end" && !opts.json) {
      const end = JSON.parse(message.data) as { state: string };
      process.stderr.write(`-- job ${visible(end.state)} --\n`);
    }
  }
}

export async function runWatch(program: Command, opts: { after: number; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  let after = opts.after;
  if (after < 0) {
    after = (await ctx.client.call(routes.health)).lastEventSeq;
  }
  const res = await ctx.client.stream(routes.events, { query: { after } });
  for await (const message of lostConnectionIsUnreachable(readSse(res.body!))) {
    const event = JSON.parse(message.data) as PushpalsEvent;
    process.stdout.write(opts.json ? `${JSON.stringify(event)}\n` : `${describeEvent(event)}\n`);
  }
}

/** A stream cut by the server going away is "server unreachable" (exit 3), not an internal error. */
async function* lostConnectionIsUnreachable<T>(source: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (err) {
    if (isPushpalsError(err)) throw err;
    throw new PushpalsError("server_unreachable", `lost the connection to the server: ${(err as Error).message}`, {
      hint: "is it still running? resume with `pushpals watch --after <last seq>`",
    });
  }
}

/** One line per event; every part of it but the time comes from the event, so the whole line is made visible. */
function describeEvent(e: PushpalsEvent): string {
  return visible(eventLine(e));
}

function eventLine(e: PushpalsEvent): string {
  const time = new Date(e.at).toISOString().slice(11, 23);
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case "job.created":
      return `${time} #${e.seq} ${e.jobId} created (${d.kind}, priority ${d.priority}) by ${d.actor}`;
    case "job.transition":
      return `${time} #${e.seq} ${e.jobId} ${d.from ?? "-"} -> ${d.to} (${d.actor}: ${d.reason})`;
    case "job.progress":
      return `${time} #${e.seq} ${e.jobId} progress ${JSON.stringify(d.progress)}`;
    case "job.cancel_requested":
      return `${time} #${e.seq} ${e.jobId} cancel requested by ${d.actor}`;
    default:
      return `${time} #${e.seq} ${e.type} ${JSON.stringify(d)}`;
  }
}
