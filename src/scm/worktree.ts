import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { isValidId } from "../core/ids.ts";
import { OBJECT_ID_PATTERN } from "../core/sha.ts";
import { git, type GitOptions } from "./git.ts";
import { writeSandboxGit } from "./sandbox-git.ts";

/** Where job checkouts live (the runtime paths satisfy it). */
export interface WorktreePaths {
  readonly repoRoot: string;
  readonly gitCommonDir: string;
  readonly worktreesDir: string;
}

/**
 * A job checkout: the files of one exact commit in `dir`, and beside it (never inside) the host's own
 * git directory `gitDir` for them: HEAD, index, and the repository's objects through an alternates
 * file (new objects land in `gitDir/objects` until they are moved into the repository). Host-side git
 * only ever runs with `--git-dir=gitDir --work-tree=dir` (see `hostGit`), so nothing a command writes
 * in `dir`, its `.git` included, is ever read by git as configuration. `dir/.git` is the sandbox's own
 * minimal repository (see sandbox-git.ts). Not a `git worktree`: the repository's metadata is untouched.
 */
export interface JobCheckout {
  dir: string;
  gitDir: string;
  commit: string;
  /** The commit's tree: what a check verdict says it ran on. */
  tree: string;
  /** The repository's object store, where accepted new objects are moved (`quarantine.migrate`). */
  objectsDir: string;
}

const HOST_GIT_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n";

/** `<runtime>/worktrees/<job-id>`: every checkout of every attempt of the job. */
export function jobWorktreeDir(paths: WorktreePaths, jobId: string): string {
  if (!isValidId(jobId)) throw new PushpalsError("invalid_input", `bad job id ${jobId}`);
  return join(paths.worktreesDir, jobId);
}

/** Options for host git on a checkout: its own git dir and work tree, never discovered from the files. */
export function hostGit(checkout: Pick<JobCheckout, "dir" | "gitDir">, extra: Omit<GitOptions, "cwd" | "repo"> = {}): GitOptions {
  // A checkout holds untrusted files (its .gitattributes too): no global filter or driver may run on them.
  return { ...extra, cwd: checkout.dir, repo: { gitDir: checkout.gitDir, workTree: checkout.dir }, noGlobalConfig: true };
}

/**
 * A fresh checkout of `commit` for this attempt of the job: `<job>/a<attempt>-<name>` plus its git dir.
 * Only host git and PushPals have written it when this returns. `name` tells several checkouts of one
 * attempt apart (the command's, then the committed change's for the checks).
 */
export async function addJobCheckout(paths: WorktreePaths, jobId: string, attempt: number, commit: string, name = "work"): Promise<JobCheckout> {
  if (!/^[a-z]+$/.test(name)) throw new PushpalsError("invalid_input", `bad checkout name ${name}`);
  const root = jobWorktreeDir(paths, jobId);
  const dir = join(root, `a${attempt}-${name}`);
  const gitDir = `${dir}.git`;
  // Earlier attempts of this job (a worker that died or was paused) leave theirs behind: clear them first.
  if (existsSync(root)) for (const entry of readdirSync(root)) if (!entry.startsWith(`a${attempt}-`)) removeTree(join(root, entry));
  removeTree(dir);
  removeTree(gitDir);
  mkdirSync(dir, { recursive: true });
  for (const sub of ["refs/heads", "refs/tags", "objects/info", "info"]) mkdirSync(join(gitDir, sub), { recursive: true });
  writeFileSync(join(gitDir, "config"), HOST_GIT_CONFIG);

  const objectsDir = join(paths.gitCommonDir, "objects");
  writeFileSync(join(gitDir, "objects", "info", "alternates"), `${objectsDir}\n`);
  const host = hostGit({ dir, gitDir }, { timeoutMs: 300_000 });
  try {
    // Resolved in the repository itself: a name (a branch, HEAD) means the repository's, not the checkout's.
    const resolved = (await git(["rev-parse", "--verify", "--end-of-options", `${commit}^{commit}`], { cwd: paths.repoRoot })).stdout.trim();
    writeFileSync(join(gitDir, "HEAD"), `${resolved}\n`);
    await git(["read-tree", resolved], host);
    await git(["checkout-index", "--all", "--force", "--quiet"], host);
    const tree = (await git(["rev-parse", `${resolved}^{tree}`], host)).stdout.trim();
    await writeSandboxGit(dir, resolved, host, join(gitDir, "index"));
    return { dir, gitDir, commit: resolved, tree, objectsDir };
  } catch (err) {
    removeCheckout({ dir, gitDir });
    throw err;
  }
}

/** The repository's own `info/exclude` (the user's local ignore rules) into the host git dir, as it is now. */
export function refreshExcludes(checkout: Pick<JobCheckout, "gitDir" | "objectsDir">): void {
  const exclude = join(dirname(checkout.objectsDir), "info", "exclude");
  const target = join(checkout.gitDir, "info", "exclude");
  if (existsSync(exclude)) copyFileSync(exclude, target);
  else rmSync(target, { force: true });
}

/** Removes one checkout (its files and its git dir): the one its own attempt created, nobody else's. */
export function removeCheckout(checkout: Pick<JobCheckout, "dir" | "gitDir">): void {
  removeTree(checkout.dir);
  removeTree(checkout.gitDir);
  const root = dirname(checkout.dir);
  try {
    if (readdirSync(root).length === 0) rmdirSync(root);
  } catch {}
}

/** Removes every checkout of a job: before a new attempt starts, and by the janitor. */
export async function removeJobWorktrees(paths: WorktreePaths, jobId: string): Promise<void> {
  const root = jobWorktreeDir(paths, jobId);
  if (!existsSync(root)) return;
  const linked = readdirSync(root).some((name) => lstatSync(join(root, name, ".git"), { throwIfNoEntry: false })?.isFile());
  removeTree(root);
  // A checkout made by an older PushPals was a linked `git worktree`: drop its registration too.
  if (linked) await git(["worktree", "prune"], { cwd: paths.repoRoot, allowFailure: true, timeoutMs: 60_000 });
}

export interface PruneReport {
  removed: string[];
  /** Checkouts whose commit no ref reaches: kept, so no commit is ever lost. */
  kept: { jobId: string; dir: string; commit: string }[];
}

/**
 * Janitor: removes checkouts of jobs that are no longer active (e.g. a worker died on the last attempt),
 * but only when the commit each one's host git dir holds is reachable from a ref. One holding a commit
 * nothing else reaches is kept and reported instead. It reads only the host git dirs, never the files.
 */
export async function pruneFinishedWorktrees(paths: WorktreePaths, isActive: (jobId: string) => boolean): Promise<PruneReport> {
  const report: PruneReport = { removed: [], kept: [] };
  if (!existsSync(paths.worktreesDir)) return report;
  for (const jobId of readdirSync(paths.worktreesDir)) {
    if (!isValidId(jobId) || isActive(jobId)) continue;
    const root = jobWorktreeDir(paths, jobId);
    const stranded: PruneReport["kept"] = [];
    for (const name of readdirSync(root)) {
      if (!name.endsWith(".git")) continue;
      const commit = await unreachableHead(paths.repoRoot, join(root, name));
      if (commit) stranded.push({ jobId, dir: join(root, name.slice(0, -4)), commit });
    }
    if (stranded.length > 0) {
      report.kept.push(...stranded);
      continue;
    }
    await removeJobWorktrees(paths, jobId);
    report.removed.push(jobId);
  }
  return report;
}

/** The checkout's HEAD commit if it is in the repository and no ref reaches it (work removal would lose), else null. */
async function unreachableHead(repoRoot: string, gitDir: string): Promise<string | null> {
  const file = join(gitDir, "HEAD");
  const head = lstatSync(file, { throwIfNoEntry: false })?.isFile() ? readFileSync(file, "utf8").trim() : "";
  if (!OBJECT_ID_PATTERN.test(head)) return null;
  const refs = await git(["for-each-ref", "--count=1", "--contains", head, "--format=%(refname)", "refs/"], { cwd: repoRoot, allowFailure: true });
  return refs.exitCode === 0 && refs.stdout.trim() === "" ? head : null;
}

/** rm -rf that also clears directories a command made unwritable or unreadable (chmod 000). */
function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    Bun.spawnSync(["chmod", "-R", "u+rwx", path], { stdout: "ignore", stderr: "ignore" });
    rmSync(path, { recursive: true, force: true });
  }
}
