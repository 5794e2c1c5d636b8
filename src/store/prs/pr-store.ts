import type { PrState, PullRequestRow } from "./pr-rows.ts";

/**
 * Pull requests, kept as documents. Generic in the document type so the prs domain can name its own
 * (`PullRequest`) without the store knowing it; by default, only what the store itself reads.
 */
export interface PullRequestStore<P extends PullRequestRow = PullRequestRow> {
  /** Inserts a PR (its number is assigned here) and returns it with the number. */
  insertPullRequest(pr: Omit<P, "number">): P;
  updatePullRequest(pr: P): void;
  getPullRequest(number: number): P | null;
  getPullRequestByJob(jobId: string): P | null;
  /** Newest first. */
  listPullRequests(filter: { state?: PrState; limit: number }): P[];
}
