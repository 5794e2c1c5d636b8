import { git } from "./git.ts";

/** What a person reads about one commit: its parents (the first is the line it was made on), subject and author. */
export interface CommitInfo {
  sha: string;
  parents: string[];
  /** The first line of its message, bounded. */
  subject: string;
  /** `name <email>`, bounded. */
  author: string;
}

const MAX_SUBJECT = 300;
const MAX_AUTHOR = 200;

/** One commit of the repository, read from its objects only; null when the repository has no such commit. */
export async function commitInfo(repoRoot: string, commit: string): Promise<CommitInfo | null> {
  const r = await git(["show", "-s", "--no-show-signature", "--format=%H%x00%P%x00%an <%ae>%x00%s", "--end-of-options", `${commit}^{commit}`], { cwd: repoRoot, allowFailure: true });
  if (r.exitCode !== 0) return null;
  const [sha = "", parents = "", author = "", subject = ""] = r.stdout.replace(/\n$/, "").split("\0");
  return { sha, parents: parents.split(" ").filter(Boolean), subject: subject.slice(0, MAX_SUBJECT), author: author.slice(0, MAX_AUTHOR) };
}

/**
 * The commits of `from..to` on `to`'s first-parent line, oldest first: the commits that moved a branch
 * from `from` to `to` one by one (a merge commit is one of them, its side branch is not). At most `limit`;
 * `more` says the range holds more than that.
 */
export async function firstParentCommits(repoRoot: string, from: string, to: string, limit: number): Promise<{ commits: string[]; more: boolean }> {
  // --max-count applies before --reverse: the newest limit+1, so one more than the limit shows there are more.
  const r = await git(["rev-list", "--first-parent", `--max-count=${limit + 1}`, `${from}..${to}`, "--"], { cwd: repoRoot, timeoutMs: 120_000 });
  const newestFirst = r.stdout.split("\n").filter(Boolean);
  return { commits: newestFirst.slice(0, limit).reverse(), more: newestFirst.length > limit };
}
