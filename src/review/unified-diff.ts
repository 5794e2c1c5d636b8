import { PushpalsError } from "../core/errors.ts";
import type { DiffFile, DiffHunk, DiffStatus } from "./diff-types.ts";
import { readQuoted, unquotePath } from "./git-quote.ts";

const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const INDEX = /^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d{6}))?$/;
const ZERO_BLOB = /^0+$/;

interface Cursor {
  lines: string[];
  i: number;
}

/**
 * Parses `git diff` patch output (any context size, `--full-index` for full blob ids) into files with
 * their hunks. Hunk bodies are read by the counts in their headers, never by their first character
 * alone, so an added line reading `++ b/x` or `diff --git` cannot pass for a header.
 */
export function parseUnifiedDiff(text: string): DiffFile[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const cursor: Cursor = { lines, i: 0 };
  const files: DiffFile[] = [];
  while (cursor.i < lines.length) files.push(parseSection(cursor));
  return mergeTypeChanges(files);
}

function unexpected(line: string | undefined, what: string): PushpalsError {
  return new PushpalsError("git_failed", `unexpected git diff output (${what}): ${JSON.stringify((line ?? "<end>").slice(0, 200))}`);
}

function parseSection(cursor: Cursor): DiffFile {
  const first = cursor.lines[cursor.i++] as string;
  if (!first.startsWith("diff --git ")) throw unexpected(first, "expected a diff --git header");
  const file: DiffFile = {
    path: "",
    oldPath: null,
    status: "modified",
    binary: false,
    size: null,
    oldMode: null,
    newMode: null,
    modeChange: null,
    oldBlob: null,
    newBlob: null,
    hunks: [],
  };
  let fromHeader = gitHeaderPath(first.slice("diff --git ".length));
  let minus: string | null | undefined;
  let plus: string | null | undefined;
  for (;;) {
    const line = cursor.lines[cursor.i];
    if (line === undefined || line.startsWith("diff --git ") || line.startsWith("@@ ")) break;
    cursor.i++;
    readHeaderLine(line, file);
    if (line.startsWith("--- ")) minus = sidePath(line.slice(4), "a/");
    else if (line.startsWith("+++ ")) plus = sidePath(line.slice(4), "b/");
    else if (line.startsWith("rename from ") || line.startsWith("copy from ")) file.oldPath = unquotePath(line.slice(line.indexOf("from ") + 5));
    else if (line.startsWith("rename to ") || line.startsWith("copy to ")) fromHeader = unquotePath(line.slice(line.indexOf("to ") + 3));
  }
  const path = plus ?? (file.status === "deleted" ? minus : undefined) ?? fromHeader;
  if (!path) throw unexpected(first, "cannot tell the path");
  file.path = path;
  while (cursor.lines[cursor.i]?.startsWith("@@ ")) file.hunks.push(parseHunk(cursor));
  if (file.oldMode && file.newMode && file.oldMode !== file.newMode) file.modeChange = { old: file.oldMode, new: file.newMode };
  if (file.hunks.some((h) => h.added.some((l) => l.text.includes("\0")))) file.binary = true;
  return file;
}

function readHeaderLine(line: string, file: DiffFile): void {
  const word = (prefix: string) => (line.startsWith(prefix) ? line.slice(prefix.length) : null);
  const newMode = word("new file mode ");
  const deletedMode = word("deleted file mode ");
  const oldMode = word("old mode ");
  const mode = word("new mode ");
  if (newMode !== null) Object.assign(file, { status: "added" satisfies DiffStatus, newMode });
  else if (deletedMode !== null) Object.assign(file, { status: "deleted" satisfies DiffStatus, oldMode: deletedMode });
  else if (oldMode !== null) file.oldMode = oldMode;
  else if (mode !== null) file.newMode = mode;
  else if (line.startsWith("rename from ")) file.status = "renamed";
  else if (line.startsWith("copy from ")) file.status = "copied";
  else if (line.startsWith("Binary files ")) file.binary = true;
  else {
    const index = INDEX.exec(line);
    if (!index) return;
    const [, oldBlob, newBlob, both] = index as unknown as [string, string, string, string | undefined];
    file.oldBlob = ZERO_BLOB.test(oldBlob) ? null : oldBlob;
    file.newBlob = ZERO_BLOB.test(newBlob) ? null : newBlob;
    if (both) {
      file.oldMode ??= file.status === "added" ? null : both;
      file.newMode ??= file.status === "deleted" ? null : both;
    }
  }
}

/** `a/x` or `"a/x"` from ---/+++; null for /dev/null. */
function sidePath(raw: string, prefix: string): string | null {
  const path = unquotePath(raw);
  if (path === null || path === "/dev/null") return null;
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** `a/X b/X` (plain or quoted). Only trusted when both sides name the same path: renames have their own lines. */
function gitHeaderPath(rest: string): string | null {
  if (rest.startsWith('"')) {
    const a = readQuoted(rest, 0);
    const b = a && rest[a.end] === " " ? readQuoted(rest, a.end + 1) : null;
    if (!a || !b || !a.value.startsWith("a/") || !b.value.startsWith("b/")) return null;
    return a.value.slice(2) === b.value.slice(2) ? b.value.slice(2) : null;
  }
  if ((rest.length - 5) % 2 !== 0) return null;
  const name = rest.slice(2, 2 + (rest.length - 5) / 2);
  return rest === `a/${name} b/${name}` ? name : null;
}

function parseHunk(cursor: Cursor): DiffHunk {
  const header = cursor.lines[cursor.i++] as string;
  const m = HUNK.exec(header);
  if (!m) throw unexpected(header, "bad hunk header");
  const count = (s: string | undefined) => (s === undefined ? 1 : Number(s));
  const hunk: DiffHunk = { oldStart: Number(m[1]), oldLines: count(m[2]), newStart: Number(m[3]), newLines: count(m[4]), added: [], removed: [] };
  let oldLeft = hunk.oldLines;
  let newLeft = hunk.newLines;
  let oldNo = hunk.oldStart;
  let newNo = hunk.newStart;
  while (oldLeft > 0 || newLeft > 0) {
    const line = cursor.lines[cursor.i++];
    if (line === undefined) throw unexpected(line, "hunk ends early");
    if (line.startsWith("\\")) continue;
    const kind = line[0];
    if (kind === "+" && newLeft > 0) {
      hunk.added.push({ line: newNo++, text: line.slice(1) });
      newLeft--;
    } else if (kind === "-" && oldLeft > 0) {
      hunk.removed.push({ line: oldNo++, text: line.slice(1) });
      oldLeft--;
    } else if ((kind === " " || line === "") && oldLeft > 0 && newLeft > 0) {
      oldNo++;
      newNo++;
      oldLeft--;
      newLeft--;
    } else {
      throw unexpected(line, "line outside its hunk's counts");
    }
  }
  while (cursor.lines[cursor.i]?.startsWith("\\")) cursor.i++;
  return hunk;
}

/** Without -B git shows a type change (file <-> symlink) as a deletion then a creation of the same path. */
function mergeTypeChanges(files: DiffFile[]): DiffFile[] {
  const out: DiffFile[] = [];
  for (const file of files) {
    const prev = out.at(-1);
    if (!prev || prev.path !== file.path || prev.status !== "deleted" || file.status !== "added") {
      out.push(file);
      continue;
    }
    const modeChange = prev.oldMode && file.newMode ? { old: prev.oldMode, new: file.newMode } : null;
    out[out.length - 1] = {
      ...file,
      status: "type_changed",
      binary: prev.binary || file.binary,
      oldMode: prev.oldMode,
      oldBlob: prev.oldBlob,
      modeChange,
      hunks: [...prev.hunks, ...file.hunks],
    };
  }
  return out;
}
