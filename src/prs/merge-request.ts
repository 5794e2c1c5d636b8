import type { PullRequest } from "./pr-types.ts";

/** One merge at a time per PR head: a new head gets its own merge job. */
export function mergeDedupeKey(pr: Pick<PullRequest, "number" | "headSha">): string {
  return `merge:${pr.number}:${pr.headSha}`;
}

/**
 * A `merge` job's input, built by the server from the PR record only: its exact head, the commit it
 * was made on and its branches. What checks the merge runs is not in it: the SourceControlManager reads
 * them from the config committed at the base it merges onto, never from whoever asked.
 */
export function mergeInputFor(pr: PullRequest) {
  return {
    prNumber: pr.number,
    headSha: pr.headSha,
    baseSha: pr.baseSha,
    baseBranch: pr.baseBranch,
    headBranch: pr.headBranch,
    title: pr.title,
    body: pr.body,
    headChecks: pr.checks,
    remote: pr.remote ? { provider: pr.remote.provider, number: pr.remote.number, pushedSha: pr.remote.pushedSha } : null,
  };
}
