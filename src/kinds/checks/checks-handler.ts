import { removeCheckout } from "../../scm/worktree.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { runChecks } from "../common/run-checks.ts";
import type { ChecksInput } from "./checks-input.ts";

/** Runs the checks in a fresh checkout of the exact commit, its dependencies prepared first. */
export async function runChecksJob(input: ChecksInput, ctx: JobContext) {
  const checkout = await jobCheckout(ctx, input.commit);
  try {
    await ctx.progress({ step: "dependencies" }).catch(() => {});
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, input.install);
    return { ...(await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, input)), tree: checkout.tree, dependencies };
  } finally {
    // Only our own attempt's checkout: if our lease was lost, a newer attempt may be running next to it.
    removeCheckout(checkout);
  }
}
