import { JobFailure } from "../core/job-failure.ts";
import { stageWorktree, type ChangedFile, type StagingCheckout } from "./changes.ts";
import { git, type GitIdentity } from "./git.ts";
import { checkScope, parseScopeRules, ScopeDenied, type ScopeRules } from "./scope.ts";
import { preflightWorktree } from "./scope-preflight.ts";
import { assertSandboxGitIntact } from "./sandbox-git.ts";
import { hostGit, refreshExcludes } from "./worktree.ts";

export const DEFAULT_AGENT_IDENTITY: GitIdentity = { name: "PushPals", email: "pushpals@localhost.invalid" };

export interface CommitWorktreeOptions {
  rules: ScopeRules;
  message: string;
  /** Appended as a trailer block, e.g. { "PushPals-Job": id, "PushPals-Risk": "low" }. */
  trailers: Record<string, string>;
  identity?: GitIdentity;
  /** More parents after the checkout's own commit: a merge (the Conflict Resolver's merge of the base into a PR). */
  mergeParents?: string[];
}

export interface CommitWorktreeResult {
  commit: string;
  parent: string;
  files: ChangedFile[];
}

const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/**
 * Commits everything the job changed in the checkout (added, modified, deleted, renamed) on top of the
 * commit it was made from; the caller points a branch at the new commit. Host git runs only with the
 * checkout's own host git dir, never the `.git` a command could have rewritten, and that `.git` must
 * still be as PushPals made it. The write scope is enforced first: any violation throws `policy_denied`
 * and leaves the checkout and the repository untouched. Nothing changed throws `no_change`. No hook
 * runs and nothing is signed.
 */
export async function commitWorktree(checkout: StagingCheckout, options: CommitWorktreeOptions): Promise<CommitWorktreeResult> {
  const { dir } = checkout;
  const rules = parseScopeRules(options.rules);
  const message = commitMessage(options.message, options.trailers);
  assertSandboxGitIntact(dir);
  refreshExcludes(checkout);
  const early = await preflightWorktree(checkout, rules.maxFileBytes);
  if (early.length > 0) throw new ScopeDenied(early);

  const { parent, changes, quarantine } = await stageWorktree(checkout);
  try {
    if (changes.length === 0) throw new JobFailure("no_change", "the job changed no file: the worktree matches HEAD");
    const violations = checkScope(dir, changes, rules);
    if (violations.length > 0) throw new ScopeDenied(violations);

    // The commit is built from the staged tree, not re-read from disk: what was checked is what ships.
    const staged = hostGit(checkout, { indexFile: quarantine.indexFile, quarantine });
    const tree = (await git(["write-tree"], staged)).stdout.trim();
    const identity = options.identity ?? DEFAULT_AGENT_IDENTITY;
    const parents = [parent, ...(options.mergeParents ?? [])].flatMap((p) => ["-p", p]);
    const created = await git(["commit-tree", "--no-gpg-sign", tree, ...parents, "-F", "-"], { ...staged, identity, stdin: message });
    const commit = created.stdout.trim();
    quarantine.migrate();
    // The host git dir's HEAD names the commit, so the janitor keeps this checkout until a ref reaches it.
    await git(["update-ref", "--no-deref", "-m", "pushpals: commit job changes", "HEAD", commit, parent], hostGit(checkout));
    return { commit, parent, files: changes };
  } finally {
    quarantine.cleanup();
  }
}

/** The message, a blank line, then one `Key: value` line per trailer (git's trailer format). */
export function commitMessage(message: string, trailers: Record<string, string>): string {
  const body = message.replace(/\r\n?/g, "\n").trim();
  if (!body || body.includes("\0")) throw new JobFailure("invalid_input", "the commit message is empty or contains a NUL byte");
  const lines = Object.entries(trailers).map(([key, value]) => {
    if (!TRAILER_KEY.test(key)) throw new JobFailure("invalid_input", `bad commit trailer name ${JSON.stringify(key)}`);
    if (!value.trim() || /[\r\n\0]/.test(value)) throw new JobFailure("invalid_input", `bad value for commit trailer ${key}`);
    return `${key}: ${value.trim()}`;
  });
  return lines.length === 0 ? `${body}\n` : `${body}\n\n${lines.join("\n")}\n`;
}
