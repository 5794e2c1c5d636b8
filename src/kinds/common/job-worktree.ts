import { isPushpalsError } from "../../core/errors.ts";
import { addJobCheckout, type JobCheckout } from "../../scm/worktree.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { type JobContext } from "./job-context.ts";
import { prepareUnsandboxedCheckouts } from "../../runtime-dir/unsandboxed-checkouts.ts";

/**
 * A fresh checkout of `commit` for this attempt of the job (see `addJobCheckout`). A commit that does
 * not exist is the job's input being wrong (`invalid_input`); anything else is the machine (`environment`, retried).
 */
export async function jobCheckout(ctx: JobContext, commit: string, name = "work"): Promise<JobCheckout> {
  // Without the sandbox, what is above the checkout is seen by its tools: it must hold nothing of the user's.
  if (ctx.sandbox.mode === "off") prepareUnsandboxedCheckouts(ctx.paths.worktreesDir);
  try {
    return await addJobCheckout(ctx.paths, ctx.job.id, ctx.job.attempt, commit, name);
  } catch (err) {
    const missing = isPushpalsError(err, "git_failed") && /invalid reference|not a (valid|tree)|unknown revision|needed a single revision/i.test(err.message);
    throw new JobFailure(missing ? "invalid_input" : "environment", `could not check out ${commit}: ${(err as Error).message}`, {
      command: `git read-tree ${commit}`,
    });
  }
}
