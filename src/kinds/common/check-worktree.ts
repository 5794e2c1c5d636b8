import type { InstallSettings } from "../../config/check-settings.ts";
import type { PrChecks } from "../../prs/pr-types.ts";
import { prepareWorktreeDependencies } from "./job-dependencies.ts";
import { JobFailure } from "../../core/job-failure.ts";
import type { JobContext } from "./job-context.ts";
import { runChecks } from "./run-checks.ts";

export interface CheckSpec {
  commit: string;
  commands: { name: string; run: string }[];
  timeoutSeconds: number;
  install?: InstallSettings;
}

/**
 * The configured checks on the exact commit checked out in `dir` (a `run` job's new commit, a merge
 * candidate). Passing checks come back as the verdict bound to that SHA; failing ones throw
 * `checks_failed`, saying where the change is kept when there is a branch to name.
 */
export async function checkWorktree(ctx: JobContext, dir: string, spec: CheckSpec, options: { keptOn?: string; dependenciesReady?: boolean } = {}): Promise<PrChecks> {
  if (spec.commands.length === 0) {
    ctx.log("system", "no checks configured ([[checks.commands]] in .pushpals/config.toml): nothing verified this commit");
    return { state: "none", sha: spec.commit, results: [] };
  }
  if (!options.dependenciesReady) await prepareWorktreeDependencies(ctx, dir, spec.install);
  try {
    const { checks } = await runChecks(ctx, dir, spec);
    return { state: "passed", sha: spec.commit, results: checks };
  } catch (err) {
    if (err instanceof JobFailure && err.failureClass === "checks_failed" && options.keptOn) {
      throw new JobFailure("checks_failed", `${err.message} (the change is kept on ${options.keptOn}; no PR was opened)`, err.evidence);
    }
    throw err;
  }
}
