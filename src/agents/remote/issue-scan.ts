import type { ApiClient } from "../../client/api-client.ts";
import type { PushpalsConfig } from "../../config/schema.ts";
import { PeriodicScan } from "./periodic-scan.ts";

/**
 * The labelled backlog as a source of work: with `pr.provider = "github"` and `github.issue_labels`,
 * asks for an `issues-scan` job at start and then every `remote_agent.scan_issues_every_seconds`.
 * The RemoteAgent only asks: the SourceControlManager, which holds the token, talks to GitHub.
 */
export function issueScanSchedule(options: { client: ApiClient; config: () => PushpalsConfig; say: (line: string) => void; now?: () => number }): PeriodicScan {
  const { config } = options;
  return new PeriodicScan({
    ...options,
    every: () => {
      const c = config();
      return c.pr.provider === "github" && c.github.issue_labels.length > 0 ? c.remote_agent.scan_issues_every_seconds * 1000 : 0;
    },
    request: async () => {
      const c = config();
      return { kind: "issues-scan", input: {}, maxAttempts: c.jobs.max_attempts, says: `scanning the GitHub issues labelled ${c.github.issue_labels.map((l) => JSON.stringify(l)).join(", ")}` };
    },
  });
}
