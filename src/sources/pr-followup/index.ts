import type { WorkSourceDefinition } from "../common/work-source.ts";
import { PR_FOLLOWUP_TYPES } from "./pr-followups.ts";

export const prFollowupSource: WorkSourceDefinition = {
  id: "pr_followup",
  summary: "open PRs whose rebase conflicts, whose checks failed, or that carry requested changes",
  itemTypes: PR_FOLLOWUP_TYPES,
};
