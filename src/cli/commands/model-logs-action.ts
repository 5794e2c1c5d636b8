import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import { PushpalsError } from "../../core/errors.ts";
import { visible, visibleLines } from "../../core/safe-text.ts";
import type { ModelExchangeRecord, ModelUsageTotals } from "../../models/model-usage.ts";
import { cliContext } from "../context.ts";

const PAGE = 50;

/** `pushpals logs <id> --model`: the job's model transcript, every attempt, in the order recorded; `--json`: one exchange per line. */
export async function runModelLogs(program: Command, id: string, opts: { follow?: boolean; json?: boolean }): Promise<void> {
  if (opts.follow) throw new PushpalsError("invalid_input", "--follow does not apply to --model: the transcript is recorded step by step", { hint: `run \`pushpals logs ${id} --model\` again, or follow the log lines with \`pushpals logs ${id} -f\`` });
  const ctx = await cliContext(program.opts());
  let usage: ModelUsageTotals | null = null;
  for (let after = 0; ; ) {
    const page = await ctx.client.call(routes.modelExchanges, { params: { id }, query: { after, limit: PAGE } });
    usage = page.usage;
    for (const e of page.exchanges) process.stdout.write(opts.json ? `${JSON.stringify(e)}\n` : exchangeText(e));
    if (page.next === null) break;
    after = page.next;
  }
  if (!opts.json) process.stdout.write(`${usage && usage.exchanges > 0 ? modelUsageText(usage) : `no model exchanges recorded for ${visible(id)}`}\n`);
}

/** Tokens as people read them: `12,345`. */
export function tokenCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** A cost in dollars, to the cent, or to 1/100 of a cent below one. */
export function dollars(n: number): string {
  return `$${n.toFixed(n > 0 && n < 1 ? 4 : 2)}`;
}

/** `3 model exchanges: 12,345 tokens (10,000 in, 2,345 out), $0.0420`. */
export function modelUsageText(usage: ModelUsageTotals): string {
  const exchanges = `${usage.exchanges} model exchange${usage.exchanges === 1 ? "" : "s"}`;
  return `${exchanges}: ${tokenCount(usage.tokens)} tokens (${tokenCount(usage.inputTokens)} in, ${tokenCount(usage.outputTokens)} out), ${dollars(usage.costUsd)}`;
}

/** What the loop did with a reply, on one line (the command made visible: its line breaks as `\n`). */
function actionText(action: ModelExchangeRecord["action"]): string {
  const note = action.note === null ? "" : `: ${visible(action.note)}`;
  if (action.kind === "submit") return `submit${note}`;
  if (action.kind === "refused") return `refused${note}`;
  const exit = action.exitCode === null ? "no exit code" : `exit ${action.exitCode}`;
  return `command (${exit}): ${visible(action.command ?? "")}${note}`;
}

/**
 * One exchange: a header of PushPals' own, then the messages sent (`> `) and the reply (`< `), every
 * line of model or job text made visible behind its prefix, then the action.
 */
export function exchangeText(e: ModelExchangeRecord): string {
  const seconds = `${(e.durationMs / 1000).toFixed(1)} s`;
  const lines = [`step ${e.step} (attempt ${e.attempt})  ${visible(e.model)}  ${tokenCount(e.usage.inputTokens)} in + ${tokenCount(e.usage.outputTokens)} out tokens  ${dollars(e.costUsd)}  ${seconds}`];
  for (const m of e.sent) {
    lines.push(`  sent (${m.role}):`);
    for (const line of visibleLines(m.content)) lines.push(`  > ${line}`);
  }
  lines.push("  reply:");
  for (const line of visibleLines(e.reply)) lines.push(`  < ${line}`);
  lines.push(`  action: ${actionText(e.action)}`);
  return `${lines.join("\n")}\n\n`;
}
