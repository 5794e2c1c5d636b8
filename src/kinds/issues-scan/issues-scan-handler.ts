import { JobFailure } from "../../core/job-failure.ts";
import { type IssueScan, MAX_SCANNED_ISSUES } from "../../sources/github-issues/issue-items.ts";
import type { JobContext } from "../common/job-context.ts";
import { connectRemote } from "../common/remote-provider.ts";
import type { IssuesScanInput } from "./issues-scan-input.ts";

/** Lists the labelled open issues through the provider's own connection (its token, its API URL). */
export async function scanIssues(_input: IssuesScanInput, ctx: JobContext): Promise<IssueScan> {
  const id = ctx.config.pr.provider;
  const remote = await connectRemote(ctx, id);
  if (!remote?.issues) {
    throw new JobFailure("invalid_input", `pr.provider is "${id}", which has no issues to scan: the labelled backlog reads GitHub issues`, {
      logExcerpt: 'set pr.provider = "github" and [github] repository = "owner/name", or set github.issue_labels = [] to turn the labelled backlog off',
    });
  }
  const { repository, labels } = remote.issues;
  if (labels.length === 0) {
    ctx.log("system", "github.issue_labels is empty: the labelled backlog is off; its open items close");
    return { repository, labels: [], complete: true, issues: [] };
  }
  // The result travels in one request body: keep it well inside what the server accepts.
  const maxBytes = Math.floor(ctx.config.server.max_body_bytes / 2);
  const { issues, complete } = await remote.issues.listOpenIssues({ max: MAX_SCANNED_ISSUES, maxBytes });
  const bound = complete ? "" : ` (stopped at ${MAX_SCANNED_ISSUES} issues or ${maxBytes} bytes: items missing from this scan stay open)`;
  ctx.log("system", `${remote.label} ${repository}: ${issues.length} open issue(s) labelled ${labels.map((l) => JSON.stringify(l)).join(" or ")}${bound}`);
  return { repository, labels: [...labels], complete, issues };
}
