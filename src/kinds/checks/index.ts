import { z } from "zod";
import { Sha } from "../../core/sha.ts";
import { CheckOutcome } from "../../prs/pr-types.ts";
import { removeAttemptWorktree } from "../../scm/worktree.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { defineKind } from "../common/define-kind.ts";
import { jobWorktree } from "../common/job-worktree.ts";
import { runChecks } from "../common/run-checks.ts";
import { ChecksInput } from "./checks-input.ts";

/**
 * `checks`: runs the configured check commands in a fresh, locked worktree of the exact commit, after
 * preparing its dependencies (frozen-lockfile install, or a copy of the cached install of that lockfile).
 */
export const checksKind = defineKind({
  id: "checks",
  summary: "run the configured checks on an exact commit",
  input: ChecksInput,
  result: z.object({ commit: Sha, checks: z.array(CheckOutcome), dependencies: z.unknown() }),
  createdBy: "client",
  role: "worker",
  network: true,
  async handler(input, ctx) {
    const dir = await jobWorktree(ctx, input.commit);
    try {
      await ctx.progress({ step: "dependencies" }).catch(() => {});
      const dependencies = await prepareWorktreeDependencies(ctx, dir, input.install);
      return { ...(await runChecks(ctx, dir, input)), dependencies };
    } finally {
      // Only our own attempt's worktree: if our lease was lost, a newer attempt may be running next to it.
      await removeAttemptWorktree(ctx.paths, dir);
    }
  },
});
