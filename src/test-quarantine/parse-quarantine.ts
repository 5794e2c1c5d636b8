import { parse as parseToml, TomlError } from "smol-toml";
import type { z } from "zod";
import { PushpalsError } from "../core/errors.ts";
import { findBlocks, splitLines } from "./quarantine-blocks.ts";
import { MAX_QUARANTINE_ENTRIES, QUARANTINE_FILE, QuarantineEntry, type QuarantineFile } from "./quarantine-entry.ts";

const HINT = `fix ${QUARANTINE_FILE}: it holds only [[test]] entries (see docs/architecture.md, "Test quarantine")`;

/**
 * Parses the quarantine file's text (`where` names it in errors). A malformed file is an
 * `invalid_input` error naming the line and the entry; it never means "everything quarantined":
 * callers that cannot use it count every failure (see `quarantineAt`).
 */
export function parseQuarantine(text: string, where: string = QUARANTINE_FILE): QuarantineFile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    const at = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : "";
    throw new PushpalsError("invalid_input", `${where}${at}: not valid TOML: ${(err as Error).message.split("\n")[0]}`, { hint: HINT, details: { file: where } });
  }
  const top = raw as Record<string, unknown>;
  const extra = Object.keys(top).filter((k) => k !== "test");
  if (extra.length > 0) {
    throw new PushpalsError("invalid_input", `${where}: unknown key ${extra.map((k) => JSON.stringify(k)).join(", ")}: the file holds only [[test]] entries`, { hint: HINT, field: extra[0], details: { file: where } });
  }
  const tests = top.test ?? [];
  if (!Array.isArray(tests)) throw new PushpalsError("invalid_input", `${where}: "test" must be [[test]] tables`, { hint: HINT, field: "test", details: { file: where } });
  if (tests.length > MAX_QUARANTINE_ENTRIES) {
    throw new PushpalsError("invalid_input", `${where}: ${tests.length} entries, over the limit of ${MAX_QUARANTINE_ENTRIES}`, { hint: "a quarantine is a short list of exceptions: fix or remove tests instead", field: "test", details: { file: where } });
  }
  // Lines are named when every entry is a [[test]] block of its own (not an inline array of tables).
  const { blocks } = findBlocks(splitLines(text));
  const lineOf = (index: number) => (blocks.length === tests.length && blocks[index] ? blocks[index].header + 1 : null);
  const entries: QuarantineEntry[] = [];
  const seen = new Map<string, number>();
  tests.forEach((value, index) => {
    const parsed = QuarantineEntry.safeParse(value);
    const id = value !== null && typeof value === "object" && typeof (value as { id?: unknown }).id === "string" ? (value as { id: string }).id : null;
    const name = entryName(index, lineOf(index), id);
    if (!parsed.success) throw entryError(where, name, index, parsed.error);
    const earlier = seen.get(parsed.data.id);
    if (earlier !== undefined) {
      throw new PushpalsError("invalid_input", `${where}: ${name}: the test is already quarantined by ${entryName(earlier, lineOf(earlier), null)}`, {
        hint: "keep one entry per test id",
        field: `test[${index}].id`,
        details: { file: where, line: lineOf(index) },
      });
    }
    seen.set(parsed.data.id, index);
    entries.push(parsed.data);
  });
  return { entries };
}

function entryName(index: number, line: number | null, id: string | null): string {
  return `test entry ${index + 1}${line ? ` (line ${line})` : ""}${id ? ` "${id.slice(0, 200)}"` : ""}`;
}

function entryError(where: string, name: string, index: number, error: z.ZodError): PushpalsError {
  const issue = error.issues[0]!;
  const unknown = issue.code === "unrecognized_keys" ? issue.keys : [];
  const key = [...issue.path, ...unknown.slice(0, 1)].map(String).join(".");
  const message = issue.code === "unrecognized_keys" ? `unknown key ${unknown.map((k) => JSON.stringify(k)).join(", ")}` : `${key}: ${issue.message}`;
  return new PushpalsError("invalid_input", `${where}: ${name}: ${message}`, { hint: HINT, field: `test[${index}]${key ? `.${key}` : ""}`, details: { file: where } });
}
