import { PushpalsError } from "../core/errors.ts";

/** One dependency's spec to write: `key` is the manifest's key (the alias, for an `npm:` alias), `spec` the whole new value. */
export interface ManifestEdit {
  section: string;
  key: string;
  spec: string;
}

/** A member of a JSON object: its decoded key and where its value's token starts and ends in the text. */
interface Member {
  key: string;
  start: number;
  end: number;
}

const BOM = "\uFEFF";
const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const LITERAL_END = new Set([",", "}", "]", " ", "\t", "\n", "\r"]);

/**
 * package.json `text` with the string values of `edits` replaced and every other byte kept (indentation, key
 * order, line endings, the final newline or its absence, a BOM, escapes elsewhere), so the diff is only
 * those values. Each value is found in the named section of the top-level object, keys compared decoded
 * (`"\u0040s/x"` is `@s/x`). Throws `invalid_input` for text that is not a JSON object and for a section
 * or key that is missing, repeated, or not of the expected type.
 */
export function editManifest(text: string, edits: readonly ManifestEdit[], fileName: string): string {
  const start = text.startsWith(BOM) ? BOM.length : 0;
  // What the edited text must read as: the original object with each edit applied.
  const expected = parseObject(text.slice(start), fileName);
  const replacements = new Map<number, { end: number; value: string }>();
  for (const edit of edits) {
    const token = locate(text, start, edit, fileName);
    const value = JSON.stringify(edit.spec);
    const earlier = replacements.get(token.start);
    if (earlier !== undefined && earlier.value !== value) refuse(fileName, edit, "two edits give it different specs", "pass one edit per dependency");
    replacements.set(token.start, { end: token.end, value });
    (expected[edit.section] as Record<string, unknown>)[edit.key] = edit.spec;
  }
  let out = "";
  let at = 0;
  for (const [from, { end, value }] of [...replacements].sort(([a], [b]) => a - b)) {
    out += text.slice(at, from) + value;
    at = end;
  }
  out += text.slice(at);
  verify(out.slice(start), expected, fileName);
  return out;
}

function parseObject(json: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new PushpalsError("invalid_input", `${fileName}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, { field: fileName, hint: "fix the manifest by hand (or restore it from git) before updating its dependencies" });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PushpalsError("invalid_input", `${fileName}: not a JSON object`, { field: fileName, hint: "a package.json holds one object at its top level" });
  }
  return value as Record<string, unknown>;
}

/** The value token of `edit.key` in the top-level object's `edit.section` object. */
function locate(text: string, start: number, edit: ManifestEdit, fileName: string): Member {
  const section = only(members(text, skipWhitespace(text, start)), edit.section);
  if (section === "missing") refuse(fileName, edit, `it has no "${edit.section}" section`, "edit only dependencies the manifest declares");
  if (section === "repeated") refuse(fileName, edit, `the "${edit.section}" section appears twice`, "remove the duplicate section (JSON readers keep only the last one)");
  if (text[section.start] !== "{") refuse(fileName, edit, `"${edit.section}" is not an object`, `make "${edit.section}" an object of name to spec`);
  const value = only(members(text, section.start), edit.key);
  if (value === "missing") refuse(fileName, edit, `"${edit.section}" does not declare it`, "edit only dependencies the manifest declares");
  if (value === "repeated") refuse(fileName, edit, `"${edit.section}" declares it twice`, "remove the duplicate key (JSON readers keep only the last one)");
  if (text[value.start] !== '"') refuse(fileName, edit, "its value is not a string", "a dependency's spec is a string: fix the manifest by hand");
  return value;
}

function only(list: Member[], key: string): Member | "missing" | "repeated" {
  const found = list.filter((m) => m.key === key);
  return found.length === 0 ? "missing" : found.length > 1 ? "repeated" : found[0]!;
}

function refuse(fileName: string, edit: ManifestEdit, why: string, hint: string): never {
  throw new PushpalsError("invalid_input", `${fileName}: cannot set ${JSON.stringify(edit.key)} in "${edit.section}": ${why}`, { field: fileName, hint, details: { section: edit.section, key: edit.key } });
}

/** The members of the object whose "{" is at `open`. The text is valid JSON (JSON.parse read it): tokens are only delimited, not checked. */
function members(text: string, open: number): Member[] {
  const out: Member[] = [];
  let i = skipWhitespace(text, open + 1);
  if (text[i] === "}") return out;
  for (;;) {
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    expectAt(text, i, ":");
    const start = skipWhitespace(text, i + 1);
    const end = valueEnd(text, start);
    out.push({ key, start, end });
    i = skipWhitespace(text, end);
    if (text[i] === "}") return out;
    expectAt(text, i, ",");
    i = skipWhitespace(text, i + 1);
  }
}

function skipWhitespace(text: string, i: number): number {
  while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  return i;
}

/** The index after the string token starting at `i` (its opening quote). */
function stringEnd(text: string, i: number): number {
  expectAt(text, i, '"');
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === "\\") j++;
    else if (text[j] === '"') return j + 1;
  }
  throw unexpected(i);
}

/** The index after the value token starting at `i`. */
function valueEnd(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return stringEnd(text, i);
  if (first === "{" || first === "[") {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = stringEnd(text, j) - 1;
      else if (c === "{" || c === "[") depth++;
      else if ((c === "}" || c === "]") && --depth === 0) return j + 1;
    }
    throw unexpected(i);
  }
  let j = i;
  while (j < text.length && !LITERAL_END.has(text[j]!)) j++;
  if (j === i) throw unexpected(i);
  return j;
}

function expectAt(text: string, i: number, char: string): void {
  if (text[i] !== char) throw unexpected(i);
}

function unexpected(at: number): PushpalsError {
  return new PushpalsError("internal", `the manifest tokenizer lost its place at offset ${at} of text JSON.parse accepted`, { hint: "report this with the manifest that caused it" });
}

/** The edited text must read as the original object with exactly the edits applied. */
function verify(json: string, expected: Record<string, unknown>, fileName: string): void {
  let actual: unknown;
  try {
    actual = JSON.parse(json);
  } catch (err) {
    throw new PushpalsError("internal", `${fileName}: the edited manifest is not valid JSON`, { cause: err, hint: "report this with the manifest that caused it" });
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new PushpalsError("internal", `${fileName}: the edited manifest does not read as the original with the edits applied`, { hint: "report this with the manifest that caused it" });
  }
}
