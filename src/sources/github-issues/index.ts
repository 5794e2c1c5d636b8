import type { WorkSourceDefinition } from "../common/work-source.ts";
import { GITHUB_ISSUE_TYPE } from "./issue-items.ts";

/** The labelled backlog: one of the vision's backlog sources, beside `pushpals backlog add`. */
export const githubIssuesSource: WorkSourceDefinition = {
  id: "backlog",
  summary: "the labelled backlog: open GitHub issues carrying github.issue_labels (pr.provider = \"github\"; scanned every remote_agent.scan_issues_every_seconds)",
  itemTypes: [GITHUB_ISSUE_TYPE],
};
