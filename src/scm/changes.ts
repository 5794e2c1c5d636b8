import { copyFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { git, type GitOptions } from "./git.ts";
import { createQuarantine, type Quarantine } from "./quarantine.ts";
import { hostGit, refreshExcludes, type JobCheckout } from "./worktree.ts";

/** What staging needs of a checkout: its files, the host's git dir for them, the commit they started from. */
export type StagingCheckout = Pick<JobCheckout, "dir" | "gitDir" | "commit" | "objectsDir">;

export type ChangeStatus = "added" | "modified" | "deleted" | "renamed" | "type_changed";

/** One path that differs between HEAD and the worktree. */
export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  /** The path at HEAD, for a rename. */
  oldPath?: string;
  /** Mode in the worktree (absent when deleted): 100644, 100755, 120000 (symlink), 160000 (gitlink). */
  mode?: string;
  /** Mode at HEAD (absent when added). */
  oldMode?: string;
  blob?: string;
  oldBlob?: string;
  /** Bytes of the new content (absent when deleted, or for a gitlink). */
  size?: number;
  /** What a symlink points to, exactly as it will be committed. */
  symlinkTarget?: string;
}

export const SYMLINK_MODE = "120000";
export const GITLINK_MODE = "160000";

const STATUS: Record<string, ChangeStatus> = { A: "added", M: "modified", D: "deleted", R: "renamed", T: "type_changed" };
const RAW_HEADER = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/;
const NO_MODE = "000000";
// A split or untracked-cache index would make git write shared files next to the real index.
const PRIVATE_INDEX = ["-c", "core.splitIndex=false", "-c", "core.untrackedCache=false"];

export interface StagedWorktree {
  parent: string;
  changes: ChangedFile[];
  /** Holds the staged index and any new objects; the caller must migrate or clean it up. */
  quarantine: Quarantine;
}

/**
 * What changed in the checkout relative to its commit: every added, modified, deleted and renamed file
 * (untracked files included, ignored ones not). Works on a private index and object store, so the
 * checkout's host index and the repository are left exactly as they were.
 */
export async function listWorktreeChanges(checkout: StagingCheckout): Promise<ChangedFile[]> {
  refreshExcludes(checkout);
  const staged = await stageWorktree(checkout);
  staged.quarantine.cleanup();
  return staged.changes;
}

/**
 * `git add -A` into a quarantine, with the host's own git dir for the checkout (never its `.git`); the
 * caller has refreshed the user's ignore rules into it (`refreshExcludes`).
 * Nested repositories are never staged (git would refuse one without a commit); each is reported as an
 * added gitlink so the scope check names it.
 */
export async function stageWorktree(checkout: StagingCheckout): Promise<StagedWorktree> {
  const parent = checkout.commit;
  const quarantine = createQuarantine(checkout.objectsDir);
  try {
    const options: GitOptions = hostGit(checkout, { indexFile: quarantine.indexFile, quarantine });
    await seedIndex(join(checkout.gitDir, "index"), parent, options);
    const { nestedRepos } = await untrackedEntries(checkout);
    const exclude = nestedRepos.map((p) => `:(exclude,literal)${p}`);
    await git([...PRIVATE_INDEX, "add", "-A", "--", ".", ...exclude], { ...options, timeoutMs: 300_000 });
    const diff = await git(["diff-index", "--cached", "-z", "--raw", "-M", "--no-ext-diff", parent], options);
    const changes = await describe(parseRawDiff(diff.stdout), options);
    for (const path of nestedRepos) changes.push({ path, status: "added", mode: GITLINK_MODE });
    return { parent, changes, quarantine };
  } catch (err) {
    quarantine.cleanup();
    throw err;
  }
}

/** Untracked, not ignored: files one by one, and nested repositories (git lists those as `dir/`). */
export async function untrackedEntries(checkout: Pick<JobCheckout, "dir" | "gitDir">): Promise<{ files: string[]; nestedRepos: string[] }> {
  const r = await git(["ls-files", "-z", "--others", "--exclude-standard"], hostGit(checkout, { timeoutMs: 300_000 }));
  const entries = splitZ(r.stdout);
  return {
    files: entries.filter((p) => !p.endsWith("/")),
    nestedRepos: entries.filter((p) => p.endsWith("/")).map((p) => p.slice(0, -1)),
  };
}

export function splitZ(out: string): string[] {
  return out.split("\0").filter((s) => s !== "");
}

/** HEAD's tree, reusing the worktree index's stat data where it matches HEAD so unchanged files are not re-read. */
async function seedIndex(realIndex: string, parent: string, options: GitOptions): Promise<void> {
  if (existsSync(realIndex)) {
    copyFileSync(realIndex, options.indexFile as string);
    const merged = await git([...PRIVATE_INDEX, "read-tree", "-m", parent], { ...options, allowFailure: true });
    if (merged.exitCode === 0) return;
    // e.g. an index with unresolved conflicts: start from HEAD alone.
    rmSync(options.indexFile as string, { force: true });
  }
  await git([...PRIVATE_INDEX, "read-tree", parent], options);
}

/** Parses `git diff-index --raw -z` output. */
export function parseRawDiff(out: string): ChangedFile[] {
  const tokens = out.split("\0");
  const files: ChangedFile[] = [];
  let i = 0;
  while (i < tokens.length) {
    const header = tokens[i++];
    if (!header) continue;
    const m = RAW_HEADER.exec(header);
    const status = m ? STATUS[m[5] as string] : undefined;
    if (!m || !status) throw new PushpalsError("git_failed", `unexpected git diff-index output: ${JSON.stringify(header.slice(0, 200))}`);
    const [, oldMode, mode, oldBlob, blob] = m as unknown as [string, string, string, string, string];
    const first = tokens[i++] ?? "";
    const file: ChangedFile = status === "renamed" ? { path: tokens[i++] ?? "", oldPath: first, status } : { path: first, status };
    if (oldMode !== NO_MODE) Object.assign(file, { oldMode, oldBlob });
    if (mode !== NO_MODE) Object.assign(file, { mode, blob });
    files.push(file);
  }
  return files;
}

/** Adds sizes and symlink targets, read from the staged objects (exactly what would be committed). */
async function describe(files: ChangedFile[], options: GitOptions): Promise<ChangedFile[]> {
  const blobs = files.filter((f) => f.blob && f.mode !== GITLINK_MODE).map((f) => f.blob as string);
  if (blobs.length === 0) return files;
  const sizes = new Map<string, number>();
  const r = await git(["cat-file", "--batch-check=%(objectname) %(objectsize)"], { ...options, stdin: `${blobs.join("\n")}\n` });
  for (const line of r.stdout.split("\n")) {
    const [sha, size] = line.split(" ");
    if (sha && size && /^\d+$/.test(size)) sizes.set(sha, Number(size));
  }
  for (const f of files) {
    if (!f.blob || f.mode === GITLINK_MODE) continue;
    const size = sizes.get(f.blob);
    if (size !== undefined) f.size = size;
    if (f.mode === SYMLINK_MODE) f.symlinkTarget = (await git(["cat-file", "blob", f.blob], options)).stdout;
  }
  return files;
}
