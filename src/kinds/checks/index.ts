import { z } from "zod";
import { Sha } from "../../core/sha.ts";
import { CheckOutcome } from "../../prs/pr-types.ts";
import { defineKind } from "../common/define-kind.ts";
import { ChecksInput } from "./checks-input.ts";
import { recordBranchChecks } from "../../sources/failing-build/failing-build.ts";
import { recordOnboarding } from "../../sources/onboarding/onboarding-item.ts";
import { verifyOnBranch } from "./verify-branch.ts";

/**
 * `checks`: runs the configured check commands in a fresh checkout of the exact commit, after preparing
 * its dependencies (frozen-lockfile install, or the cached install of that lockfile, read-only).
 */
export const checksKind = defineKind({
  id: "checks",
  summary: "run the configured checks on an exact commit",
  input: ChecksInput,
  result: z.object({ commit: Sha, tree: z.string(), checks: z.array(CheckOutcome), dependencies: z.unknown() }),
  createdBy: "client",
  role: "worker",
  network: true,
  handler: async (input, ctx) => (await import("./checks-handler.ts")).runChecksJob(input, ctx),
  async verify(input, { repoRoot }) {
    if (input.branch) await verifyOnBranch(repoRoot, input.commit, input.branch);
  },
  effects(ctx, job) {
    recordBranchChecks(ctx, job);
    recordOnboarding(ctx, job);
  },
});
