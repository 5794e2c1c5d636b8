import { z } from "zod";
import { Sha } from "../../core/sha.ts";
import { REMOTE_PROVIDER_IDS } from "../../providers/registry.ts";

/** Push a PR's branch to the remote provider and open or update its PR there (SourceControlManager). */
export const PublishInput = z.strictObject({
  prNumber: z.number().int().positive(),
  /** The remote provider the PR was opened with (absent in jobs queued before it was recorded: the configured one). */
  provider: z.enum(REMOTE_PROVIDER_IDS).optional(),
  headBranch: z.string().min(1).max(255),
  headSha: Sha,
  baseBranch: z.string().min(1).max(255),
  title: z.string().min(1).max(200),
  body: z.string().max(20_000),
  /** What the remote branch should hold now (null: it must not exist): the push is a compare-and-swap too. */
  expectedRemoteSha: Sha.nullable(),
});
export type PublishInput = z.infer<typeof PublishInput>;

