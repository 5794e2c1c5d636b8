import { z } from "zod";
import { Sha } from "../../core/sha.ts";
import { CheckOutcome } from "../../prs/pr-types.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { defineKind } from "../common/define-kind.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { runChecks } from "../common/run-checks.ts";
import { ChecksInput } from "./checks-input.ts";

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
  async handler(input, ctx) {
    const checkout = await jobCheckout(ctx, input.commit);
    try {
      await ctx.progress({ step: "dependencies" }).catch(() => {});
      const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, input.install);
      return { ...(await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, input)), tree: checkout.tree, dependencies };
    } finally {
      // Only our own attempt's checkout: if our lease was lost, a newer attempt may be running next to it.
      removeCheckout(checkout);
    }
  },
});
