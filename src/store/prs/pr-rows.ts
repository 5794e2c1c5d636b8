import { z } from "zod";

export const PrState = z.enum(["open", "merged", "closed"]);
export type PrState = z.infer<typeof PrState>;

/**
 * What the store reads of a pull request: its number, job and state (it indexes them); the rest is the
 * prs domain's document (`PullRequest` in src/prs/pr-types.ts), which the store keeps as JSON, whole.
 */
export interface PullRequestRow {
  number: number;
  jobId: string;
  state: PrState;
}
