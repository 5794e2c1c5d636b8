import { BaseRed, ChecksState } from "../../core/checks-state.ts";
import { z } from "zod";
import { ChecksSnapshot, InstallSettings } from "../../config/check-settings.ts";
import { OBJECT_ID_PATTERN, Sha } from "../../core/sha.ts";
import { REMOTE_PROVIDER_IDS } from "../../providers/registry.ts";
import { CheckTests } from "../../test-results/check-tests.ts";

/** Merge one PR: rebase onto the latest base, checks on the exact result, compare-and-swap of the base ref. */
export const MergeInput = z.strictObject({
  prNumber: z.number().int().positive(),
  /** The exact head the person asked to merge: a PR whose head moved since is not merged by this job. */
  headSha: Sha,
  /** The commit the change was made on: the rebase replays `baseSha..headSha`. */
  baseSha: Sha,
  baseBranch: z.string().min(1).max(255),
  /** The PR's branch, title and body: a remote provider's PR is (re)published from them. */
  headBranch: z.string().min(1).max(255),
  title: z.string().min(1).max(200),
  body: z.string().max(20_000).default(""),
  /** Ignored (merge jobs queued before the merge read its checks from the config committed at the base carry them). */
  checks: ChecksSnapshot.optional(),
  install: InstallSettings.optional(),
  /** The PR's checks verdict (bound to its head SHA): a fast-forward with the same commands need not rerun them. */
  headChecks: z
    .strictObject({
      state: ChecksState,
      sha: Sha,
      tree: z.string().regex(OBJECT_ID_PATTERN).optional(),
      // As the PR's verdict records each check (CheckOutcome): with a report, its tests and whether its quarantined failures waived it.
      results: z
        .array(
          z.strictObject({
            name: z.string(),
            run: z.string(),
            exitCode: z.number().int().nullable(),
            signal: z.string().nullable(),
            durationMs: z.number().int(),
            tests: CheckTests.optional(),
            reportError: z.string().max(2000).optional(),
            waived: z.boolean().optional(),
          }),
        )
        .max(32),
      baseRed: BaseRed.optional(),
    })
    .optional(),
  /** Set when the PR lives on a remote provider too: there the provider merges it, bound to `headSha`. */
  remote: z.strictObject({ provider: z.enum(REMOTE_PROVIDER_IDS), number: z.number().int().positive(), pushedSha: Sha }).nullable().default(null),
  /** How many times the base may move under a merge before it gives up with `conflict`. */
  maxRounds: z.number().int().min(1).max(10).default(3),
});
export type MergeInput = z.infer<typeof MergeInput>;

