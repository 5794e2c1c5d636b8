import { posix } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { LOCKFILE_NAMES } from "../ecosystems/registry.ts";
import { readBlobBatch } from "../scm/blob-batch.ts";
import { git } from "../scm/git.ts";
import type { DiffFile } from "./diff-types.ts";
import { parseUnifiedDiff } from "./unified-diff.ts";
import { OBJECT_ID_PATTERN } from "../core/sha.ts";


/**
 * Flags that pin git's output whatever the repository or user config says: no external diff or
 * textconv program runs, prefixes and paths are the ones the parser expects, hunks are not fused.
 */
const DIFF_FLAGS = ["--no-ext-diff", "--no-textconv", "--no-relative", "--no-color", "-M", "--src-prefix=a/", "--dst-prefix=b/"];

/**
 * The exact diff between two commits, as reviewers see it: every file with its status, modes, binary
 * flag, new size and hunks (added lines with their new line numbers), plus both sides of every
 * package.json and lockfile and of the files `contentsFor` names (test files, for the tests reviewer).
 * Both SHAs must be full object ids: a review is about exact commits.
 */
export async function parseDiff(repoRoot: string, baseSha: string, headSha: string, options: ParseDiffOptions = {}): Promise<DiffFile[]> {
  for (const sha of [baseSha, headSha]) {
    if (!OBJECT_ID_PATTERN.test(sha)) throw new PushpalsError("invalid_input", `a review needs full commit ids, got ${JSON.stringify(sha)}`);
  }
  const range = [baseSha, headSha, "--"];
  const [meta, patch] = await Promise.all([
    git(["-c", "core.quotePath=false", "diff", ...DIFF_FLAGS, "-z", "--raw", "--numstat", "--no-abbrev", ...range], { cwd: repoRoot }),
    git(["-c", "core.quotePath=false", "diff", ...DIFF_FLAGS, "-U0", "--inter-hunk-context=0", "--full-index", ...range], { cwd: repoRoot }),
  ]);
  const files = parseUnifiedDiff(patch.stdout);
  applyRawNumstat(files, parseRawNumstatZ(meta.stdout));
  await Promise.all([addSizes(repoRoot, files), addContents(repoRoot, files, options.contentsFor ?? (() => false))]);
  return files;
}

export interface ParseDiffOptions {
  /** Files (by the path on either side) whose full text both sides are loaded for, beyond manifests and lockfiles. */
  contentsFor?: (path: string) => boolean;
}

/** Text files over this size are not loaded whole: the reviewers that need them say they could not read them. */
export const MAX_CONTENT_BYTES = 16 * 1024 * 1024;

const STRUCTURED = new Set([PACKAGE_JSON, ...LOCKFILE_NAMES]);

export interface NumstatEntry {
  path: string;
  oldPath: string | null;
  /** null for a binary file. */
  added: number | null;
  removed: number | null;
}

/** One `--raw` entry: git's modes and full blob ids, even where the patch shows no index line. */
export interface RawEntry {
  path: string;
  oldPath: string | null;
  oldMode: string | null;
  newMode: string | null;
  oldBlob: string | null;
  newBlob: string | null;
}

const RAW_HEADER = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/;
const NUMSTAT = /^(\d+|-)\t(\d+|-)\t(.*)$/s;

/**
 * Parses `git diff --raw --numstat -z --no-abbrev`: raw entries (`:m m sha sha S\0path\0`, two paths
 * for a rename or copy) then numstat ones (`A\tD\tpath\0`, or `A\tD\t\0old\0new\0`). Paths are
 * consumed by position, so a path starting with ":" or a digit is never read as a header.
 */
export function parseRawNumstatZ(out: string): { raw: RawEntry[]; numstat: NumstatEntry[] } {
  const tokens = out.split("\0");
  const raw: RawEntry[] = [];
  const numstat: NumstatEntry[] = [];
  const none = (s: string, zero: RegExp) => (zero.test(s) ? null : s);
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i++] as string;
    if (token === "") continue;
    const r = RAW_HEADER.exec(token);
    if (r) {
      const [, oldMode, newMode, oldBlob, newBlob, status] = r as unknown as [string, string, string, string, string, string];
      const first = tokens[i++] ?? "";
      const two = status === "R" || status === "C";
      raw.push({
        path: two ? (tokens[i++] ?? "") : first,
        oldPath: two ? first : null,
        oldMode: none(oldMode, /^0+$/),
        newMode: none(newMode, /^0+$/),
        oldBlob: none(oldBlob, /^0+$/),
        newBlob: none(newBlob, /^0+$/),
      });
      continue;
    }
    const m = NUMSTAT.exec(token);
    if (!m) throw new PushpalsError("git_failed", `unexpected git diff --raw --numstat output: ${JSON.stringify(token.slice(0, 200))}`);
    const [, a, d, rest] = m as unknown as [string, string, string, string];
    const count = (s: string) => (s === "-" ? null : Number(s));
    const renamed = rest === "";
    const oldPath = renamed ? (tokens[i++] ?? "") : null;
    const path = renamed ? (tokens[i++] ?? "") : rest;
    numstat.push({ path, oldPath, added: count(a), removed: count(d) });
  }
  return { raw, numstat };
}

/**
 * Raw and numstat are git's own word on modes, blobs and which files are binary. Each of their paths
 * must be in the patch and the reverse: a mismatch means the patch was misread, and a review of a
 * misread diff is worthless.
 */
export function applyRawNumstat(files: DiffFile[], meta: { raw: RawEntry[]; numstat: NumstatEntry[] }): void {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const lookup = (path: string, what: string) => {
    const file = byPath.get(path);
    if (!file) throw new PushpalsError("git_failed", `git ${what} lists ${JSON.stringify(path)}, which the patch does not`);
    return file;
  };
  for (const entry of meta.raw) {
    const file = lookup(entry.path, "diff --raw");
    if (entry.oldPath !== file.oldPath) throw new PushpalsError("git_failed", `git diff --raw and the patch disagree on where ${JSON.stringify(entry.path)} came from`);
    Object.assign(file, { oldMode: entry.oldMode, newMode: entry.newMode, oldBlob: entry.oldBlob, newBlob: entry.newBlob });
    file.modeChange = entry.oldMode && entry.newMode && entry.oldMode !== entry.newMode ? { old: entry.oldMode, new: entry.newMode } : null;
  }
  for (const entry of meta.numstat) {
    const file = lookup(entry.path, "numstat");
    if (entry.added === null) file.binary = true;
  }
  for (const list of [meta.raw, meta.numstat]) {
    const listed = new Set(list.map((e) => e.path));
    const missing = files.find((f) => !listed.has(f.path));
    if (missing) throw new PushpalsError("git_failed", `the patch lists ${JSON.stringify(missing.path)}, which git ${list === meta.raw ? "--raw" : "numstat"} does not`);
  }
}

async function addSizes(repoRoot: string, files: DiffFile[]): Promise<void> {
  const blobs = [...new Set(files.filter((f) => f.newBlob && f.newMode !== "160000").map((f) => f.newBlob as string))];
  if (blobs.length === 0) return;
  const r = await git(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], { cwd: repoRoot, stdin: `${blobs.join("\n")}\n` });
  const sizes = new Map<string, number>();
  for (const line of r.stdout.split("\n")) {
    const [sha, type, size] = line.split(" ");
    if (sha && type === "blob" && size && /^\d+$/.test(size)) sizes.set(sha, Number(size));
  }
  for (const f of files) {
    if (f.newBlob) f.size = sizes.get(f.newBlob) ?? null;
  }
}

async function addContents(repoRoot: string, files: DiffFile[], contentsFor: (path: string) => boolean): Promise<void> {
  const wanted = (p: string | null) => p !== null && (STRUCTURED.has(posix.basename(p)) || contentsFor(p));
  const chosen = files.filter((f) => !f.binary && f.newMode !== "160000" && (wanted(f.path) || wanted(f.oldPath)));
  if (chosen.length === 0) return;
  const blobs = [...new Set(chosen.flatMap((f) => [f.oldBlob, f.newBlob]).filter((b): b is string => b !== null))];
  const texts = await readBlobs(repoRoot, blobs);
  for (const f of chosen) {
    const read = (blob: string | null) => (blob === null ? null : (texts.get(blob) ?? null));
    // A side that exists but was too large to load leaves contents unset: readers report it unread.
    if ((f.oldBlob && !texts.has(f.oldBlob)) || (f.newBlob && !texts.has(f.newBlob))) continue;
    f.contents = { old: read(f.oldBlob), new: read(f.newBlob) };
  }
}

/** Blob texts in one `git cat-file --batch` call; blobs over MAX_CONTENT_BYTES are left out. */
async function readBlobs(repoRoot: string, blobs: string[]): Promise<Map<string, string>> {
  const bodies = await readBlobBatch(repoRoot, blobs, (size) => size <= MAX_CONTENT_BYTES);
  const decoder = new TextDecoder();
  return new Map([...bodies].map(([sha, body]) => [sha, decoder.decode(body)]));
}
