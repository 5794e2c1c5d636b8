import { routes } from "../../api/routes.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { PushpalsConfig } from "../../config/schema.ts";

/** After a failed enqueue (the server restarting), the next try waits this long, not a whole period. */
const RETRY_MS = 30_000;

/**
 * The labelled backlog as a source of work: with `pr.provider = "github"` and `github.issue_labels`,
 * asks for an `issues-scan` job at start and then every `remote_agent.scan_issues_every_seconds`.
 * The RemoteAgent only asks: the SourceControlManager, which holds the token, talks to GitHub, and the
 * job's fixed dedupe key keeps one scan at a time however often it is asked.
 */
export class IssueScanSchedule {
  private nextAt = 0;

  constructor(private readonly options: { client: ApiClient; config: () => PushpalsConfig; say: (line: string) => void; now?: () => number }) {}

  /** Queues a scan when one is due (at most one enqueue per period). */
  async once(): Promise<void> {
    const { client, config, say } = this.options;
    const now = (this.options.now ?? Date.now)();
    const c = config();
    const every = c.remote_agent.scan_issues_every_seconds * 1000;
    if (every === 0 || c.pr.provider !== "github" || c.github.issue_labels.length === 0 || now < this.nextAt) return;
    this.nextAt = now + Math.min(RETRY_MS, every);
    const { job, deduped } = await client.call(routes.enqueueJob, { body: { kind: "issues-scan", input: {}, maxAttempts: c.jobs.max_attempts } });
    this.nextAt = now + every;
    if (!deduped) say(`scanning the GitHub issues labelled ${c.github.issue_labels.map((l) => JSON.stringify(l)).join(", ")}: job ${job.id}`);
  }
}
