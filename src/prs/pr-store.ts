import type { PullRequestStore } from "../store/prs/pr-store.ts";
import type { PullRequest } from "./pr-types.ts";

/**
 * The store keeps a PR as an opaque document; this domain is the only one that writes PRs (always
 * whole `PullRequest`s), so what it reads back are `PullRequest`s. The one place that says so.
 */
export function pullRequests(store: PullRequestStore): PullRequestStore<PullRequest> {
  return store as PullRequestStore<PullRequest>;
}
