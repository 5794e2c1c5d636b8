import { copyFileSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JobFailure } from "../core/job-failure.ts";
import { git, type GitOptions } from "./git.ts";

/**
 * The `.git` directory inside a job checkout: the only git a sandboxed command sees. It holds the
 * checkout's commit (shallow: that commit and the objects of its tree, nothing else reachable), an index
 * matching the files, and a config of three lines. No remote, no credentials, no other ref, no stash,
 * nothing of the user's index. `git status`, `git diff` and `git log -1` work in it; the command may
 * write to it freely, because host-side git never reads it (see checkout.ts).
 */
export const SANDBOX_GIT_CONFIG = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n";

export async function writeSandboxGit(dir: string, commit: string, host: GitOptions, hostIndex: string): Promise<void> {
  const gitDir = join(dir, ".git");
  for (const sub of ["refs/heads", "refs/tags", "objects/pack", "objects/info", "info"]) mkdirSync(join(gitDir, sub), { recursive: true });
  writeFileSync(join(gitDir, "HEAD"), `${commit}\n`);
  writeFileSync(join(gitDir, "config"), SANDBOX_GIT_CONFIG);
  const parents = (await git(["rev-list", "--parents", "-n", "1", commit], host)).stdout.trim().split(" ").slice(1);
  if (parents.length > 0) writeFileSync(join(gitDir, "shallow"), `${commit}\n`);
  // The commit and every object of its tree (`-n 1`: no parent, so no other commit's blobs come along).
  const objects = await git(["rev-list", "--objects", "--no-object-names", "-n", "1", commit], { ...host, timeoutMs: 300_000 });
  await git(["pack-objects", "-q", join(gitDir, "objects", "pack", "pack")], { ...host, stdin: objects.stdout, timeoutMs: 300_000 });
  copyFileSync(hostIndex, join(gitDir, "index"));
}

/**
 * After a command ran, the checkout's `.git` must still be a directory with PushPals's own config and
 * no pointer to other objects or another git directory. Host git never reads it either way; a change
 * here is still an attack (or a command that reconfigures git), so the job stops with the reason.
 */
export function assertSandboxGitIntact(dir: string): void {
  const gitDir = join(dir, ".git");
  const stat = lstatSync(gitDir, { throwIfNoEntry: false });
  const deny = (why: string) => {
    throw new JobFailure("policy_denied", `the command ${why}; PushPals never runs git with metadata a job wrote, and does not commit from this worktree`, {
      paths: [".git"],
    });
  };
  if (!stat?.isDirectory()) return deny(stat ? "replaced the worktree's .git directory with a file or a link" : "deleted the worktree's .git directory");
  // lstat first: a FIFO or a link in place of the config must not make the host block or read elsewhere.
  const configPath = join(gitDir, "config");
  const config = lstatSync(configPath, { throwIfNoEntry: false });
  const same = config?.isFile() && config.size === SANDBOX_GIT_CONFIG.length && readFileSync(configPath, "utf8") === SANDBOX_GIT_CONFIG;
  if (!same) return deny("changed the worktree's git config (.git/config)");
  for (const pointer of ["commondir", "gitdir", join("objects", "info", "alternates")]) {
    if (lstatSync(join(gitDir, pointer), { throwIfNoEntry: false })) return deny(`added .git/${pointer}, which points git at another repository`);
  }
}
