import { z } from "zod";

/**
 * List the labelled open issues (SourceControlManager). Nothing to say: the repository, the labels
 * and the token are the SourceControlManager's own config, so a job's input cannot point the scan elsewhere.
 */
export const IssuesScanInput = z.strictObject({});
export type IssuesScanInput = z.infer<typeof IssuesScanInput>;
