import { z } from "zod";

export const MergeMethod = z.enum(["merge", "squash", "rebase"]);
export type MergeMethod = z.infer<typeof MergeMethod>;

export interface RemotePrRequest {
  /** The head branch, in the same repository (e.g. `pushpals/<job-id>`). */
  head: string;
  base: string;
  title: string;
  body: string;
  /** The commit just pushed to `head`. */
  headSha: string;
}

export interface RemotePrRef {
  number: number;
  url: string;
  /** The head commit the host reports; right after a push it can briefly still be the previous one. */
  headSha: string;
}

export interface RemotePrState {
  state: "open" | "closed";
  merged: boolean;
  headSha: string;
  /** null while the host is still computing it. */
  mergeable: boolean | null;
}

/**
 * A pull request host the SourceControlManager drives. Every method throws a JobFailure (a
 * GithubError for GitHub) whose class says what to do: `conflict` (head moved, not mergeable),
 * `invalid_input`, `policy_denied`, `environment`/`timeout` (retryable).
 */
export interface RemotePrProvider {
  /** Finds the open pull request for `head` and updates its title, body and base; creates one if there is none. */
  openOrUpdate(pr: RemotePrRequest): Promise<RemotePrRef>;
  /** Merges only if the head is still `expectedHeadSha`. */
  merge(number: number, expectedHeadSha: string, method: MergeMethod): Promise<{ merged: true; sha: string }>;
  close(number: number): Promise<void>;
  get(number: number): Promise<RemotePrState>;
}
