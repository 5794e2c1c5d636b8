import { posix } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { MAX_LOCKFILE_BYTES } from "../ecosystems/common/lockfile.ts";
import { PACKAGE_JSON } from "../ecosystems/common/package-json.ts";
import { isEcosystemLockfile, loadLockfileParsers, lockfilePaths } from "../ecosystems/lockfile-changes.ts";
import { GITLINK_MODE, parseRawDiff, splitZ, SYMLINK_MODE, type ChangedFile } from "../scm/changes.ts";
import { git } from "../scm/git.ts";
import { dirOf, type ClassificationInput, type DiffFile, type LockfileChange, type ManifestChange } from "./classify-input.ts";
import type { RiskTier } from "../core/risk-tier.ts";
import type { DiffFile as PatchedFile } from "../review/diff-types.ts";
import { parseUnifiedDiff } from "../review/unified-diff.ts";
import type { FilePatch } from "./classify-input.ts";
import { isSha } from "../core/sha.ts";

const EXECUTABLE = "100755";
const MAX_MANIFESTS = 64;
// Lockfiles past this many in one change are not read: they count as unread (High), never as unchanged.
const MAX_LOCKFILES = 16;
// Only files the network patterns read are diffed line by line (git pathspecs match at any depth).
const PATCH_PATHSPECS = ["*.js", "*.mjs", "*.cjs", "*.jsx", "*.ts", "*.mts", "*.cts", "*.tsx", "*.py", "*.sh", "*.bash", "*.zsh"];
const DIFF = ["--no-ext-diff", "--no-textconv", "-M", "--no-color"];

/**
 * The classifier's input for `baseSha..headSha` in the repository at `repoRoot`: files with line
 * counts, binary and executable flags (`git diff --raw/--numstat -z`), the root package.json and every
 * package.json the change touches or whose package it touches, on both sides (`git cat-file blob <sha>:<path>`, i.e. `git show` without textconv),
 * both sides of every changed lockfile (bounded in number and size), the package roots at the head,
 * and the added/removed lines of source files (for network use).
 */
export async function classificationInputFromGit(
  repoRoot: string,
  baseSha: string,
  headSha: string,
  declared?: RiskTier,
  role?: string,
  /** The added/removed lines when the caller has parsed this diff already (the ReviewAgent): not read again. */
  known: { patches?: FilePatch[] } = {},
): Promise<ClassificationInput> {
  for (const sha of [baseSha, headSha]) {
    if (!isSha(sha)) throw new PushpalsError("invalid_input", `not a full commit SHA: ${JSON.stringify(sha)}`, { hint: "resolve the commit first (git rev-parse)" });
  }
  const opts = { cwd: repoRoot, timeoutMs: 120_000 };
  const raw = parseRawDiff((await git(["diff", "--raw", "-z", "--no-abbrev", ...DIFF, baseSha, headSha], opts)).stdout);
  const counts = parseNumstat((await git(["diff", "--numstat", "-z", ...DIFF, baseSha, headSha], opts)).stdout);
  const files = raw.map((c) => diffFile(c, counts.get(c.path)));
  const packageRoots = await packageRootsAt(repoRoot, headSha);
  const manifests = await readManifests(repoRoot, baseSha, headSha, manifestPaths(files, packageRoots));
  const patches = known.patches ?? (await readPatches(repoRoot, baseSha, headSha));
  const lockfiles = await readLockfiles(repoRoot, raw);
  // classifyRisk reads them synchronously.
  await loadLockfileParsers(lockfiles.flatMap(lockfilePaths));
  const input: ClassificationInput = { files, manifests, packageRoots, patches, lockfiles };
  if (declared !== undefined) input.declared = declared;
  if (role !== undefined) input.role = role;
  return input;
}

async function readPatches(repoRoot: string, baseSha: string, headSha: string): Promise<FilePatch[]> {
  const args = ["-c", "core.quotePath=false", "diff", "-U0", "--inter-hunk-context=0", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/", ...DIFF];
  const patch = await git([...args, baseSha, headSha, "--", ...PATCH_PATHSPECS], { cwd: repoRoot, timeoutMs: 120_000 });
  return filePatches(parseUnifiedDiff(patch.stdout));
}

/** The added and removed lines per file of a parsed diff (the review's parser), as the classifier reads them. */
export function filePatches(files: readonly PatchedFile[]): FilePatch[] {
  return files.map((f) => ({
    path: f.path,
    added: f.hunks.flatMap((h) => h.added.map((l) => l.text)),
    removed: f.hunks.flatMap((h) => h.removed.map((l) => l.text)),
  }));
}

/** `git diff --numstat -z`: "a\td\tpath\0", or "a\td\t\0old\0new\0" for a rename; "-" counts mean binary. */
export function parseNumstat(out: string): Map<string, { additions: number; deletions: number; binary: boolean }> {
  const tokens = out.split("\0");
  const result = new Map<string, { additions: number; deletions: number; binary: boolean }>();
  let i = 0;
  while (i < tokens.length) {
    const head = tokens[i++];
    if (!head) continue;
    const [a = "", d = "", ...rest] = head.split("\t");
    const path = rest.join("\t");
    const target = path ? path : (i++, tokens[i++] ?? "");
    const binary = a === "-" || d === "-";
    result.set(target, { additions: binary ? 0 : Number(a), deletions: binary ? 0 : Number(d), binary });
  }
  return result;
}

function diffFile(c: ChangedFile, count: { additions: number; deletions: number; binary: boolean } | undefined): DiffFile {
  const file: DiffFile = { path: c.path, status: c.status, additions: count?.additions ?? 0, deletions: count?.deletions ?? 0 };
  if (c.oldPath !== undefined) file.oldPath = c.oldPath;
  // A binary renamed unchanged keeps its blob: nothing new to review.
  if (count?.binary && c.blob !== c.oldBlob) file.binary = true;
  if (c.mode === EXECUTABLE) file.executable = true;
  if (c.oldMode === EXECUTABLE) file.oldExecutable = true;
  return file;
}

async function packageRootsAt(repoRoot: string, sha: string): Promise<string[]> {
  const r = await git(["ls-tree", "-r", "-z", "--name-only", sha], { cwd: repoRoot, timeoutMs: 120_000 });
  return splitZ(r.stdout)
    .filter((p) => posix.basename(p) === PACKAGE_JSON && !p.split("/").includes("node_modules"))
    .map(dirOf);
}

/** The root manifest, every changed one, and the nearest manifest above each changed file. */
function manifestPaths(files: readonly DiffFile[], roots: readonly string[]): string[] {
  const byDepth = [...roots].sort((a, b) => b.length - a.length);
  const paths = new Set([PACKAGE_JSON]);
  for (const f of files) {
    for (const p of f.oldPath === undefined ? [f.path] : [f.path, f.oldPath]) {
      if (posix.basename(p) === PACKAGE_JSON) paths.add(p);
      const root = byDepth.find((r) => r === "" || p.startsWith(`${r}/`));
      if (root !== undefined) paths.add(root === "" ? PACKAGE_JSON : `${root}/${PACKAGE_JSON}`);
    }
  }
  return [...paths].sort().slice(0, MAX_MANIFESTS);
}

/** A manifest that does not parse as a JSON object on a side where it exists is left out (the classifier then calls it unread). */
async function readManifests(repoRoot: string, baseSha: string, headSha: string, paths: string[]): Promise<ManifestChange[]> {
  const out: ManifestChange[] = [];
  for (const path of paths) {
    const before = await readJson(repoRoot, baseSha, path);
    const after = await readJson(repoRoot, headSha, path);
    if (before === "invalid" || after === "invalid" || (before === null && after === null)) continue;
    out.push({ path, before, after });
  }
  return out;
}

async function readJson(repoRoot: string, sha: string, path: string): Promise<Record<string, unknown> | null | "invalid"> {
  // cat-file rather than show: never runs a textconv filter the repository's attributes might name.
  const r = await git(["cat-file", "blob", `${sha}:${path}`], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return null;
  try {
    const value: unknown = JSON.parse(r.stdout);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : "invalid";
  } catch {
    return "invalid";
  }
}

/** Both sides of each changed (not deleted) lockfile of a registered ecosystem, by blob id; what cannot be read says why. */
async function readLockfiles(repoRoot: string, changes: readonly ChangedFile[]): Promise<LockfileChange[]> {
  const changed = changes.filter((c) => c.status !== "deleted" && isEcosystemLockfile(c.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  if (changed.length === 0) return [];
  const sizes = await blobSizes(repoRoot, changed.slice(0, MAX_LOCKFILES).flatMap((c) => [c.oldBlob, c.blob]));
  const out: LockfileChange[] = [];
  for (const [i, c] of changed.entries()) {
    const change: LockfileChange = { path: c.path, before: null, after: null };
    if (c.oldPath !== undefined) change.oldPath = c.oldPath;
    const unread = i >= MAX_LOCKFILES ? `more than ${MAX_LOCKFILES} lockfiles changed` : whyUnreadable(c, sizes);
    if (unread !== null) out.push({ ...change, unread });
    else out.push({ ...change, before: await blobText(repoRoot, c.oldBlob), after: await blobText(repoRoot, c.blob) });
  }
  return out;
}

function whyUnreadable(c: ChangedFile, sizes: Map<string, number>): string | null {
  for (const mode of [c.mode, c.oldMode]) {
    if (mode === SYMLINK_MODE || mode === GITLINK_MODE) return "a symlink or submodule, not a file";
  }
  for (const blob of [c.oldBlob, c.blob]) {
    if (blob === undefined) continue;
    const size = sizes.get(blob);
    if (size === undefined) return "its content is missing";
    if (size > MAX_LOCKFILE_BYTES) return `over ${MAX_LOCKFILE_BYTES} bytes`;
  }
  return null;
}

async function blobSizes(repoRoot: string, blobs: (string | undefined)[]): Promise<Map<string, number>> {
  const wanted = [...new Set(blobs.filter((b): b is string => b !== undefined))];
  const sizes = new Map<string, number>();
  if (wanted.length === 0) return sizes;
  const r = await git(["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"], { cwd: repoRoot, stdin: `${wanted.join("\n")}\n` });
  for (const line of r.stdout.split("\n")) {
    const [sha, type, size] = line.split(" ");
    if (sha && type === "blob" && size && /^\d+$/.test(size)) sizes.set(sha, Number(size));
  }
  return sizes;
}

async function blobText(repoRoot: string, blob: string | undefined): Promise<string | null> {
  if (blob === undefined) return null;
  return (await git(["cat-file", "blob", blob], { cwd: repoRoot, timeoutMs: 120_000 })).stdout;
}
