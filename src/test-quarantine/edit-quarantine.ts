import { isDeepStrictEqual } from "node:util";
import { PushpalsError } from "../core/errors.ts";
import { parseQuarantine } from "./parse-quarantine.ts";
import { findBlocks, isBlank, splitLines } from "./quarantine-blocks.ts";
import { QUARANTINE_FILE, QuarantineEntry } from "./quarantine-entry.ts";

/** What a new file starts with. */
export const QUARANTINE_HEADER = [
  "# Quarantined tests: a listed test's failure no longer fails its check (it is still recorded and",
  "# reported). PushPals writes each entry with its evidence; it lands only through a PR a person",
  "# approves, and stops counting on its expiry date. Remove an entry to count its failures again.",
];

/**
 * `text` (the file as committed; null when there is none, which starts it with QUARANTINE_HEADER) with
 * a `[[test]]` block appended per entry. Everything already there is kept byte for byte, line endings
 * (CRLF) included. Refuses an invalid entry, a malformed file, and a test already listed.
 */
export function addEntries(text: string | null, entries: readonly QuarantineEntry[]): string {
  const before = text === null ? { entries: [] } : parseQuarantine(text);
  const added = entries.map((entry, i) => {
    const parsed = QuarantineEntry.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new PushpalsError("invalid_input", `quarantine entry ${i + 1}: ${issue.path.join(".")}: ${issue.message}`, { field: `add[${i}].${issue.path.join(".")}` });
    }
    return parsed.data;
  });
  const ids = new Set(before.entries.map((e) => e.id));
  for (const [i, entry] of added.entries()) {
    if (ids.has(entry.id)) throw new PushpalsError("invalid_input", `quarantine entry ${i + 1}: "${entry.id.slice(0, 200)}" is already in ${QUARANTINE_FILE}`, { field: `add[${i}].id`, hint: "keep one entry per test id" });
    ids.add(entry.id);
  }
  if (added.length === 0) return text ?? "";
  const eol = text?.includes("\r\n") ? "\r\n" : "\n";
  let out = text ?? QUARANTINE_HEADER.join(eol) + eol;
  if (out.length > 0 && !out.endsWith("\n")) out += eol;
  const lines = splitLines(out);
  if (lines.length > 0 && !isBlank(lines.at(-1)!)) out += eol;
  out += added.map((e) => entryBlock(e).join(eol) + eol).join(eol);
  return checked(out, [...before.entries, ...added], "adding");
}

/**
 * `text` without the blocks of the entries `ids` names (and the comment lines right above each), the
 * rest kept byte for byte; blank lines before blocks removed at the end go with them. Refuses an id the
 * file does not list.
 */
export function removeEntries(text: string, ids: readonly string[]): string {
  const before = parseQuarantine(text);
  const listed = new Set(before.entries.map((e) => e.id));
  const missing = ids.filter((id) => !listed.has(id));
  if (missing.length > 0) {
    throw new PushpalsError("invalid_input", `${QUARANTINE_FILE} does not list ${missing.map((id) => `"${id.slice(0, 200)}"`).join(", ")}`, { field: "remove", hint: "un-quarantine only tests the file lists at the base commit" });
  }
  const lines = splitLines(text);
  const { blocks } = findBlocks(lines);
  if (blocks.length !== before.entries.length) throw layoutError("removing");
  const drop = new Set(ids);
  const gone = new Set<number>();
  blocks.forEach((block, k) => {
    if (!drop.has(before.entries[k]!.id)) return;
    for (let i = block.first; i < block.end; i++) gone.add(i);
  });
  // The blocks removed at the end of the file take the blank lines that separated them from what stays.
  const lastKept = blocks.findLastIndex((_, k) => !drop.has(before.entries[k]!.id));
  if (lastKept < blocks.length - 1) {
    for (let i = blocks[lastKept + 1]!.first - 1; i >= 0 && isBlank(lines[i]!); i--) gone.add(i);
  }
  const out = lines.filter((_, i) => !gone.has(i)).map((l) => l.text).join("");
  return checked(out, before.entries.filter((e) => !drop.has(e.id)), "removing");
}

/** One entry as TOML lines, keys in schema order. */
export function entryBlock(entry: QuarantineEntry): string[] {
  return [
    "[[test]]",
    `id = ${tomlString(entry.id)}`,
    `check = ${tomlString(entry.check)}`,
    `reason = ${tomlString(entry.reason)}`,
    `score = ${tomlNumber(entry.score)}`,
    `runs = ${entry.runs}`,
    `failures = ${entry.failures}`,
    `commits = [${entry.commits.map(tomlString).join(", ")}]`,
    `triage_job = ${tomlString(entry.triage_job)}`,
    `added = ${tomlString(entry.added)}`,
    `expires = ${tomlString(entry.expires)}`,
    `requested_by = ${tomlString(entry.requested_by)}`,
    `approval = ${tomlString(entry.approval)}`,
  ];
}

/** A TOML basic string; the schema already refused control characters and lone surrogates. */
function tomlString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function tomlNumber(value: number): string {
  const text = String(value);
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) ? text : value.toFixed(6);
}

/** The edit's result, parsed again: exactly the entries it should hold, or the edit is refused. */
function checked(out: string, expected: readonly QuarantineEntry[], what: string): string {
  let after;
  try {
    after = parseQuarantine(out);
  } catch {
    throw layoutError(what);
  }
  if (!isDeepStrictEqual(after.entries, [...expected])) throw layoutError(what);
  return out;
}

function layoutError(what: string): PushpalsError {
  return new PushpalsError("invalid_input", `${QUARANTINE_FILE}'s layout cannot be edited safely (${what} entries would change others)`, {
    hint: "keep one [[test]] block per entry, each starting on its own line, and edit the file by hand",
  });
}
