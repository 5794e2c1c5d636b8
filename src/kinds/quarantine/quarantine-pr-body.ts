import { QUARANTINE_FILE, type QuarantineEntry } from "../../test-quarantine/quarantine-entry.ts";
import type { QuarantineInput, Unquarantine } from "./quarantine-input.ts";

/** The body's own share of the PR's 20 000 characters (the checks' notes come after it). */
const MAX_BODY = 16_000;
const MAX_TITLE = 200;

/** `Quarantine <test>`, `Un-quarantine <test>`, or counts when there are several. */
export function quarantinePrTitle(input: Pick<QuarantineInput, "add" | "remove">): string {
  const { add, remove } = input;
  const one = (verb: string, id: string) => clip(`${verb} ${id}`, MAX_TITLE);
  if (add.length === 1 && remove.length === 0) return one("Quarantine", add[0]!.id);
  if (remove.length === 1 && add.length === 0) return one("Un-quarantine", remove[0]!.id);
  const parts = [add.length ? `quarantine ${add.length} test${add.length === 1 ? "" : "s"}` : "", remove.length ? `un-quarantine ${remove.length} test${remove.length === 1 ? "" : "s"}` : ""].filter(Boolean);
  const text = parts.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The PR body: what the change does to the checks, each added test's evidence (runs, failures, score,
 * commits, expiry, triage job, reason), each removed test's passes, that a person approves it, and how to undo it.
 */
export function quarantinePrBody(input: Pick<QuarantineInput, "add" | "remove" | "baseBranch">): string {
  const out: string[] = [];
  if (input.add.length > 0) {
    out.push(
      `Quarantines ${count(input.add.length)} on ${cell(input.baseBranch)}: a quarantined test's failure no longer fails its check until the entry expires; it is still recorded and reported. Every entry below carries the CI Medic's evidence that the test is flaky (it both failed and passed on the same code).`,
      "",
      "| Test | Check | Runs | Failures | Score | Commits | Expires | Triage job |",
      "| --- | --- | ---: | ---: | ---: | --- | --- | --- |",
      ...rows(input.add, addedRow),
      "",
      ...rows(input.add, (e) => `- ${cell(e.id)}: ${cell(e.reason)}`),
    );
  }
  if (input.remove.length > 0) {
    if (out.length) out.push("");
    out.push(
      `Un-quarantines ${count(input.remove.length)}: their failures fail their check again.`,
      "",
      "| Test | Passes in a row | Note |",
      "| --- | ---: | --- |",
      ...rows(input.remove, removedRow),
    );
  }
  out.push(
    "",
    `Approval: PushPals wrote ${input.add.length ? "these entries" : "this change"} (requested by the CI Medic); a person approves this PR before it merges. A change to ${QUARANTINE_FILE} is Medium and never merged by PushPals on its own, and the review refuses entries without evidence or beyond what this job declared.`,
    "",
    `Undo: once merged, \`pushpals revert <this PR>\`; or remove the entries from ${QUARANTINE_FILE} in a PR of its own${input.add.length ? ` (an entry also stops counting by itself on its expiry date)` : ""}.`,
  );
  return clip(out.join("\n"), MAX_BODY + 2_000);
}

function addedRow(e: QuarantineEntry): string {
  const commits = e.commits.slice(0, 3).map((c) => c.slice(0, 12)).join(", ") + (e.commits.length > 3 ? ` (+${e.commits.length - 3})` : "");
  return `| ${cell(e.id)} | ${cell(e.check)} | ${e.runs} | ${e.failures} | ${e.score.toFixed(2)} | ${commits} | ${e.expires} | ${e.triage_job} |`;
}

function removedRow(r: Unquarantine): string {
  return `| ${cell(r.id)} | ${r.passes} | ${cell(r.note) || "-"} |`;
}

/** The lines, as many as fit the body's share; the rest counted. */
function rows<T>(items: readonly T[], line: (item: T) => string): string[] {
  const out: string[] = [];
  let size = 0;
  for (const [i, item] of items.entries()) {
    const text = line(item);
    if (size + text.length > MAX_BODY / 4) {
      out.push(`| … and ${items.length - i} more: see ${QUARANTINE_FILE} in the diff |`);
      break;
    }
    size += text.length + 1;
    out.push(text);
  }
  return out;
}

/** A table cell: one line, pipes and backslashes escaped, bounded. */
function cell(text: string): string {
  return clip(text.replace(/[\r\n]+/g, " ").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/`/g, "\\`"), 600);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function count(n: number): string {
  return `${n} test${n === 1 ? "" : "s"}`;
}
