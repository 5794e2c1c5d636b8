import { PushpalsError, isPushpalsError } from "../core/errors.ts";
import { isSha } from "../core/sha.ts";
import { git } from "../scm/git.ts";
import { parseQuarantine } from "./parse-quarantine.ts";
import { QUARANTINE_FILE, type QuarantineFile } from "./quarantine-entry.ts";

/** Larger than any list of exceptions: a file over it is not read (no quarantine). */
export const MAX_QUARANTINE_BYTES = 1024 * 1024;

/**
 * The quarantine committed at a commit. `problem` says why a file that is there could not be used
 * (not a regular file, too large, malformed): then `entries` is empty, so every failure counts.
 */
export interface QuarantineAt extends QuarantineFile {
  /** `<commit>:.pushpals/quarantine.toml` when the commit has the file; null when it has none. */
  source: string | null;
  problem: string | null;
}

/** The file's committed text: null with no problem when the commit has none; null with a problem when it cannot be read. */
export interface QuarantineText {
  text: string | null;
  source: string | null;
  problem: string | null;
}

/**
 * `.pushpals/quarantine.toml` as committed at `commit` (a full SHA), read from the object store with
 * git, never from a worktree a command could have written: what was reviewed and merged is what counts.
 * No file: no quarantine. A file that cannot be read or parsed: no quarantine, and `problem` says why
 * (never "everything quarantined"). Throws only when git itself fails to answer about the commit.
 */
export async function quarantineAt(repoRoot: string, commit: string): Promise<QuarantineAt> {
  const read = await quarantineTextAt(repoRoot, commit);
  if (read.text === null) return { entries: [], source: read.source, problem: read.problem };
  try {
    return { ...parseQuarantine(read.text, `${QUARANTINE_FILE} at ${commit.slice(0, 12)}`), source: read.source, problem: null };
  } catch (err) {
    if (!isPushpalsError(err)) throw err;
    return { entries: [], source: read.source, problem: `${err.message}: no test is quarantined until it is fixed` };
  }
}

/** The committed text of the quarantine at `commit` (see `quarantineAt`): a regular file of at most MAX_QUARANTINE_BYTES. */
export async function quarantineTextAt(repoRoot: string, commit: string): Promise<QuarantineText> {
  if (!isSha(commit)) throw new PushpalsError("invalid_input", `the quarantine is read at a full commit SHA, got ${JSON.stringify(commit.slice(0, 80))}`);
  const where = `${QUARANTINE_FILE} at ${commit.slice(0, 12)}`;
  const listed = await git(["ls-tree", "-z", "--full-tree", "-l", commit, "--", QUARANTINE_FILE], { cwd: repoRoot, allowFailure: true });
  if (listed.exitCode !== 0) {
    throw new PushpalsError("git_failed", `cannot read the tree of ${commit.slice(0, 12)} for its quarantine: ${listed.stderr.trim().split("\n")[0] ?? ""}`, { details: { command: `git ls-tree ${commit} -- ${QUARANTINE_FILE}` } });
  }
  // "<mode> <type> <object> <size>\t<path>\0"
  const entry = listed.stdout.split("\0").find((e) => e.endsWith(`\t${QUARANTINE_FILE}`));
  if (!entry) return { text: null, source: null, problem: null };
  const source = `${commit}:${QUARANTINE_FILE}`;
  const [mode, type, object, size] = entry.slice(0, entry.indexOf("\t")).split(/\s+/);
  const none = (problem: string): QuarantineText => ({ text: null, source, problem: `${where} ${problem}: no test is quarantined` });
  if (type !== "blob" || (mode !== "100644" && mode !== "100755") || !object) return none("is not a regular file");
  if (Number(size) > MAX_QUARANTINE_BYTES) return none(`is ${size} bytes, over ${MAX_QUARANTINE_BYTES}`);
  const blob = await git(["cat-file", "blob", object], { cwd: repoRoot, allowFailure: true });
  if (blob.exitCode !== 0) return none(`cannot be read (${blob.stderr.trim().split("\n")[0] ?? "git cat-file failed"})`);
  return { text: blob.stdout, source, problem: null };
}
