import type { SqliteConnection } from "../sqlite-connection.ts";
import type { PrState, PullRequestRow } from "./pr-rows.ts";
import type { PullRequestStore } from "./pr-store.ts";

/** The number, job and state are columns (the store looks PRs up by them); the whole PR is the `data` JSON. */
export function sqlitePrStore(sqlite: SqliteConnection): PullRequestStore {
  const updatePullRequest = (pr: PullRequestRow): void => {
    sqlite.q("UPDATE pull_requests SET state = ?, data = ? WHERE number = ?").run(pr.state, JSON.stringify(pr), pr.number);
  };

  return {
    insertPullRequest(pr: Omit<PullRequestRow, "number">): PullRequestRow {
      const row = sqlite.q("INSERT INTO pull_requests (job_id, state, data) VALUES (?, ?, '{}') RETURNING number").get(pr.jobId, pr.state) as { number: number };
      const full = { ...pr, number: row.number };
      updatePullRequest(full);
      return full;
    },

    updatePullRequest,

    getPullRequest(number: number): PullRequestRow | null {
      const row = sqlite.q("SELECT data FROM pull_requests WHERE number = ?").get(number) as { data: string } | null;
      return row ? (JSON.parse(row.data) as PullRequestRow) : null;
    },

    getPullRequestByJob(jobId: string): PullRequestRow | null {
      const row = sqlite.q("SELECT data FROM pull_requests WHERE job_id = ?").get(jobId) as { data: string } | null;
      return row ? (JSON.parse(row.data) as PullRequestRow) : null;
    },

    listPullRequests(filter: { state?: PrState; limit: number }): PullRequestRow[] {
      const rows = filter.state
        ? sqlite.q("SELECT data FROM pull_requests WHERE state = ? ORDER BY number DESC LIMIT ?").all(filter.state, filter.limit)
        : sqlite.q("SELECT data FROM pull_requests ORDER BY number DESC LIMIT ?").all(filter.limit);
      return (rows as { data: string }[]).map((r) => JSON.parse(r.data) as PullRequestRow);
    },
  };
}
