import { IssueScan, recordIssueScan } from "../../sources/github-issues/issue-items.ts";
import { defineKind } from "../common/define-kind.ts";
import { IssuesScanInput } from "./issues-scan-input.ts";

/** The scan's dedupe key: one at a time (a client's other jobs cannot take it, see SERVER_DEDUPE_PREFIXES). */
export const ISSUES_SCAN_KEY = "issues-scan";

/**
 * `issues-scan`: the labelled backlog. The SourceControlManager (the only holder of the GitHub token)
 * lists the open issues carrying `github.issue_labels`; its success files them as work items in the
 * success's transaction. Anyone on the owner's socket may ask for a scan (the RemoteAgent does, every
 * `remote_agent.scan_issues_every_seconds`): the input is empty and the items come only from the
 * result, which only a SourceControlManager holding the job's lease can report.
 */
export const issuesScanKind = defineKind({
  id: "issues-scan",
  summary: "list the open GitHub issues carrying github.issue_labels and file them as work items",
  input: IssuesScanInput,
  result: IssueScan,
  createdBy: "client",
  role: "scm",
  // Like publish: the SourceControlManager talks to GitHub itself; no command of it runs in a sandbox.
  network: false,
  handler: async (input, ctx) => (await import("./issues-scan-handler.ts")).scanIssues(input, ctx),
  admit: () => ({ dedupeKey: ISSUES_SCAN_KEY }),
  effects(ctx, job) {
    recordIssueScan(ctx, job);
  },
});
