import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { PushpalsError } from "../core/errors.ts";
import { isValidId } from "../core/ids.ts";
import { git } from "./git.ts";

/** Where job worktrees live (the runtime paths satisfy it). */
export interface WorktreePaths {
  readonly repoRoot: string;
  readonly worktreesDir: string;
}

/**
 * Job worktrees: `<runtime>/worktrees/<job-id>/a<attempt>`, detached at an exact commit and locked
 * (so `git worktree prune` elsewhere never removes one in use). Removed only after the job ends.
 */
export function jobWorktreeDir(paths: WorktreePaths, jobId: string): string {
  if (!isValidId(jobId)) throw new PushpalsError("invalid_input", `bad job id ${jobId}`);
  return join(paths.worktreesDir, jobId);
}

export async function addJobWorktree(paths: WorktreePaths, jobId: string, attempt: number, commit: string): Promise<string> {
  // Earlier attempts of this job (a worker that died or was paused) leave theirs behind: clear them first.
  await removeJobWorktrees(paths, jobId);
  const dir = join(jobWorktreeDir(paths, jobId), `a${attempt}`);
  mkdirSync(jobWorktreeDir(paths, jobId), { recursive: true });
  await git(["worktree", "add", "--detach", "--lock", "--reason", `pushpals job ${jobId} attempt ${attempt}`, dir, commit], {
    cwd: paths.repoRoot,
    timeoutMs: 120_000,
  });
  return dir;
}

/** Removes one attempt's worktree: the one its own worker created, and nobody else's. */
export async function removeAttemptWorktree(paths: WorktreePaths, dir: string): Promise<void> {
  // Double force removes a locked worktree and any files the job wrote; it only ever touches our own dirs.
  await git(["worktree", "remove", "--force", "--force", dir], { cwd: paths.repoRoot, allowFailure: true, timeoutMs: 60_000 });
  rmSync(dir, { recursive: true, force: true });
  const root = dirname(dir);
  if (existsSync(root) && readdirSync(root).length === 0) rmSync(root, { recursive: true, force: true });
  await git(["worktree", "prune"], { cwd: paths.repoRoot, allowFailure: true, timeoutMs: 60_000 });
}

/** Removes every attempt's worktree of a job: before a new attempt starts, and by the janitor. */
export async function removeJobWorktrees(paths: WorktreePaths, jobId: string): Promise<void> {
  const root = jobWorktreeDir(paths, jobId);
  if (!existsSync(root)) return;
  for (const name of readdirSync(root)) await removeAttemptWorktree(paths, join(root, name));
  rmSync(root, { recursive: true, force: true });
}

export interface PruneReport {
  removed: string[];
  /** Worktrees whose checked-out commit no ref reaches: kept, so no commit is ever lost. */
  kept: { jobId: string; dir: string; commit: string }[];
}

/**
 * Janitor: removes worktrees of jobs that are no longer active (e.g. a worker died on the last
 * attempt), but only when the commit each one has checked out is reachable from a ref. A worktree
 * holding a commit nothing else reaches is kept and reported instead.
 */
export async function pruneFinishedWorktrees(paths: WorktreePaths, isActive: (jobId: string) => boolean): Promise<PruneReport> {
  const report: PruneReport = { removed: [], kept: [] };
  if (!existsSync(paths.worktreesDir)) return report;
  for (const jobId of readdirSync(paths.worktreesDir)) {
    if (!isValidId(jobId) || isActive(jobId)) continue;
    const root = jobWorktreeDir(paths, jobId);
    const stranded: PruneReport["kept"] = [];
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      const commit = await unreachableHead(dir);
      if (commit) stranded.push({ jobId, dir, commit });
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

/** The worktree's HEAD commit if no ref reaches it (work that removing the worktree would lose), else null. */
async function unreachableHead(dir: string): Promise<string | null> {
  const head = await git(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: dir, allowFailure: true });
  if (head.exitCode !== 0) return null;
  const commit = head.stdout.trim();
  const refs = await git(["for-each-ref", "--count=1", "--contains", commit, "--format=%(refname)", "refs/"], { cwd: dir, allowFailure: true });
  return refs.exitCode === 0 && refs.stdout.trim() === "" ? commit : null;
}
