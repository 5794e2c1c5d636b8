import { isPushpalsError } from "../../core/errors.ts";
import { addJobWorktree } from "../../scm/worktree.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { type JobContext } from "./job-context.ts";

/**
 * A fresh, locked worktree of `commit` for this attempt of the job. A commit that does not exist is
 * the job's input being wrong (`invalid_input`); anything else is the machine (`environment`, retried).
 */
export async function jobWorktree(ctx: JobContext, commit: string): Promise<string> {
  try {
    return await addJobWorktree(ctx.paths, ctx.job.id, ctx.job.attempt, commit);
  } catch (err) {
    const missing = isPushpalsError(err, "git_failed") && /invalid reference|not a (valid|tree)|unknown revision/i.test(err.message);
    throw new JobFailure(missing ? "invalid_input" : "environment", `could not create a worktree at ${commit}: ${(err as Error).message}`, {
      command: `git worktree add ${commit}`,
    });
  }
}
