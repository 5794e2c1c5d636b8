import { PushpalsError } from "../core/errors.ts";
import { readBlobBatch } from "../scm/blob-batch.ts";
import { treeFiles, type TreeEntry } from "../scm/tree-entries.ts";
import type { SecurityFinding } from "../security/security-finding.ts";
import type { DiffFile } from "./diff-types.ts";
import type { Finding } from "./review-types.ts";
import { scanFile } from "./reviewers/secrets-reviewer.ts";

/**
 * Secrets anywhere in the tree of one commit: every regular blob read from the object store (`git ls-tree`,
 * `git cat-file --batch`, never a working tree) and scanned with the ReviewAgent's own secret rules as if
 * the whole file were added. Bounded: blobs over MAX_BLOB_BYTES, binary ones (a NUL byte) and those past
 * MAX_FILES or MAX_TOTAL_BYTES are not scanned, and the result says which. A finding names the file, the
 * line and the rule; the value never leaves the scanner.
 */
export const MAX_BLOB_BYTES = 1024 * 1024;
export const MAX_FILES = 10_000;
export const MAX_TOTAL_BYTES = 128 * 1024 * 1024;
const BATCH = 200;
const CONCURRENCY = 8;
const SHOWN = 5;

export interface TreeSecrets {
  findings: SecurityFinding[];
  scanned: { files: number; bytes: number };
  notes: string[];
  /** False when files were left out for the caps (not for being binary or large). */
  complete: boolean;
}

export interface TreeSecretsOptions {
  signal?: AbortSignal;
  maxBlobBytes?: number;
  maxFiles?: number;
  maxTotalBytes?: number;
}

export async function scanTreeSecrets(repoRoot: string, commit: string, options: TreeSecretsOptions = {}): Promise<TreeSecrets> {
  const maxBlob = options.maxBlobBytes ?? MAX_BLOB_BYTES;
  const maxFiles = options.maxFiles ?? MAX_FILES;
  const maxTotal = options.maxTotalBytes ?? MAX_TOTAL_BYTES;
  const entries = await treeFiles(repoRoot, commit);

  const large = entries.filter((e) => e.size > maxBlob);
  const chosen: TreeEntry[] = [];
  let total = 0;
  let overCap = 0;
  for (const entry of entries) {
    if (entry.size > maxBlob) continue;
    if (chosen.length >= maxFiles || total + entry.size > maxTotal) {
      overCap++;
      continue;
    }
    chosen.push(entry);
    total += entry.size;
  }

  const findings: SecurityFinding[] = [];
  const binary: string[] = [];
  let files = 0;
  let bytes = 0;
  for (let start = 0; start < chosen.length; start += BATCH) {
    if (options.signal?.aborted) throw new PushpalsError("internal", "the secret scan was stopped (the job was cancelled or its worker is stopping)");
    const batch = chosen.slice(start, start + BATCH);
    const blobs = await readBlobBatch(repoRoot, batch.map((e) => e.oid));
    const texts: { entry: TreeEntry; text: string }[] = [];
    for (const entry of batch) {
      const body = blobs.get(entry.oid);
      if (body === undefined) continue;
      if (body.subarray(0, 8000).includes(0)) {
        binary.push(entry.path);
        continue;
      }
      texts.push({ entry, text: new TextDecoder().decode(body) });
      files++;
      bytes += body.length;
    }
    for (let i = 0; i < texts.length; i += CONCURRENCY) {
      const found = await Promise.all(texts.slice(i, i + CONCURRENCY).map(({ entry, text }) => scanFile(asAddedFile(entry, text))));
      findings.push(...found.flat().map(toSecurityFinding));
    }
  }

  const notes: string[] = [];
  const some = (paths: string[]) => `${paths.slice(0, SHOWN).join(", ")}${paths.length > SHOWN ? `, and ${paths.length - SHOWN} more` : ""}`;
  if (large.length > 0) notes.push(`secrets: ${large.length} blob(s) over ${Math.round(maxBlob / 1024)} KiB not scanned: ${some(large.map((e) => e.path))}`);
  if (binary.length > 0) notes.push(`secrets: ${binary.length} binary blob(s) not scanned: ${some(binary)}`);
  if (overCap > 0) notes.push(`secrets: ${overCap} file(s) past the scan's caps (${maxFiles} files, ${Math.round(maxTotal / 1024 / 1024)} MiB) not scanned`);
  return { findings, scanned: { files, bytes }, notes: notes.map((n) => n.slice(0, 1000)), complete: overCap === 0 };
}

/** A committed file as a diff that adds every line of it: what the reviewer's scanner reads. */
function asAddedFile(entry: TreeEntry, text: string): DiffFile {
  const lines = text.split("\n");
  if (lines.length > 1 && lines.at(-1) === "") lines.pop();
  const added = lines.map((line, i) => ({ line: i + 1, text: line.endsWith("\r") ? line.slice(0, -1) : line }));
  return {
    path: entry.path,
    oldPath: null,
    status: "added",
    binary: false,
    size: entry.size,
    oldMode: null,
    newMode: entry.mode,
    modeChange: null,
    oldBlob: null,
    newBlob: entry.oid,
    hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: added.length, added, removed: [] }],
  };
}

const ROTATE = "rotate it now: it is in the history of every clone and fork. Then remove it, read it from the environment or a secret store, and purge it from the history (git filter-repo --replace-text, then force-push and have every clone re-cloned)";

/** The reviewer's finding as the Sentinel's: a blocking one is High, a heuristic one Medium; the value is never in it. */
function toSecurityFinding(f: Finding): SecurityFinding {
  const heuristic = f.severity !== "block";
  const kind = f.rule === "env_file" ? "an env file with assigned values" : `${heuristic ? "what looks like a secret" : "a secret"} (${/\(([^)]{1,120})\)/.exec(f.message)?.[1] ?? f.rule})`;
  const where = `${f.file ?? "?"}${f.line ? `:${f.line}` : ""}`;
  return {
    check: "secrets",
    rule: f.rule,
    severity: heuristic ? "medium" : "high",
    file: f.file,
    line: f.line,
    message: `${where} holds ${kind}; the value is not shown`,
    fixHint: heuristic ? `if it is a real credential, ${ROTATE}; if it is not, move it out of a secret-looking name` : ROTATE,
  };
}
