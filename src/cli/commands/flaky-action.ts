import type { Command } from "commander";
import { routes } from "../../api/routes.ts";
import type { FlakyTests } from "../../test-history/test-summary.ts";
import { cliContext } from "../context.ts";
import { age, printJson, table } from "../format.ts";
import { style } from "../style.ts";

/** The last failure's message in the table: its first line, cut to this many characters. */
const MESSAGE_WIDTH = 80;
/** A test id in the table (`--json` has it whole). */
const ID_WIDTH = 100;

export async function runFlaky(program: Command, opts: { check?: string; limit?: number; all?: boolean; json?: boolean }): Promise<void> {
  const ctx = await cliContext(program.opts());
  const data = await ctx.client.call(routes.flakyTests, { query: { check: opts.check, limit: opts.limit, all: opts.all ? "1" : undefined } });
  if (opts.json) return printJson(data);
  process.stdout.write(flakyText(data, Date.now()));
}

/** A score as a percentage: one decimal under 10%. */
export function percent(score: number): string {
  const p = score * 100;
  return `${p < 10 ? p.toFixed(1) : p.toFixed(0)}%`;
}

/** A message on one line of a table: its first line, cut with an ellipsis. */
export function oneLine(message: string | null, width = MESSAGE_WIDTH): string {
  if (message === null) return "-";
  const first = message.split(/\r?\n/, 1)[0]!.trim();
  if (first.length > width) return `${first.slice(0, width - 1)}…`;
  return message.trimEnd().includes("\n") ? `${first}…` : first;
}

/** A long test id cut in the middle: its file's start and its name's end stay. */
export function shortId(id: string, width = ID_WIDTH): string {
  if (id.length <= width) return id;
  const head = Math.floor((width - 1) / 2);
  return `${id.slice(0, head)}…${id.slice(id.length - (width - 1 - head))}`;
}

/** `pushpals flaky`: one row per test, the flakiest first. */
export function flakyText(data: FlakyTests, now: number): string {
  if (data.tests.length === 0) return "no flaky tests in the recorded history (tests that both passed and failed on one commit); --all also lists tests that only failed\n";
  const rows = [
    ["SCORE", "RUNS", "FAILS", "FLAKY", "BROKEN", "STATUS", "CHECK", "TEST", "LAST FAILURE"],
    ...data.tests.map((t) => [
      percent(t.score),
      String(t.runs),
      String(t.failures),
      String(t.flakyCommits),
      String(t.brokenCommits),
      t.quarantined ? { text: "quarantined", paint: style.yellow } : t.latestStatus,
      t.check,
      shortId(t.id),
      `${t.lastFailureAt === null ? "" : `${age(t.lastFailureAt, now)} ago: `}${oneLine(t.lastFailureMessage)}`,
    ]),
  ];
  const prior = `Beta(${data.prior.failures}, ${data.prior.passes})`;
  return `${table(rows)}\n  score: probability of failing without a code change (prior ${prior}); FLAKY/BROKEN: commits it failed on that also passed / only failed\n`;
}
