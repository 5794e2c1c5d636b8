import type { InstallSettings } from "../../config/check-settings.ts";
import { checkPassed, type PrChecks } from "../../prs/pr-types.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import { prepareWorktreeDependencies } from "./job-dependencies.ts";
import { JobFailure } from "../../core/job-failure.ts";
import type { JobContext } from "./job-context.ts";
import { jobCheckout } from "./job-worktree.ts";
import { failingOnBase } from "./base-red.ts";
import { ChecksFailed, runChecks } from "./run-checks.ts";

export interface CheckSpec {
  commit: string;
  commands: { name: string; run: string; report?: string }[];
  timeoutSeconds: number;
  install?: InstallSettings;
}

/**
 * The configured checks on the exact commit (a `run` job's new commit, a merge candidate), always in a
 * fresh checkout of it made for the checks: files a job's command left behind (ignored ones under
 * `node_modules/` or `dist/`, a planted executable) never decide the result. Dependencies come from the
 * cache or a clean install. Passing checks come back as the verdict bound to that SHA and its tree;
 * failing ones throw `checks_failed` (or `environment` when one could not run here), saying where the
 * change is kept when there is a branch to name; unless (`tolerateBase`) each failing check fails on
 * that base commit the same way: then the verdict is `base_red`.
 */
export async function checkCommit(ctx: JobContext, spec: CheckSpec, options: { keptOn?: string; tolerateBase?: string } = {}): Promise<PrChecks> {
  if (spec.commands.length === 0) {
    ctx.log("system", "no checks configured ([[checks.commands]] in .pushpals/config.toml): nothing verified this commit");
    return { state: "none", sha: spec.commit, results: [] };
  }
  const checkout = await jobCheckout(ctx, spec.commit, "checks");
  try {
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, spec.install);
    try {
      const { checks } = await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, spec);
      return { state: "passed", sha: spec.commit, tree: checkout.tree, results: checks };
    } catch (err) {
      // Failures the base has too are not this change's: they do not block it (the base is red).
      if (!(err instanceof ChecksFailed) || err.failureClass !== "checks_failed" || !options.tolerateBase || options.tolerateBase === spec.commit) throw err;
      const failed = err.results.filter((r) => !checkPassed(r));
      if (failed.length === 0) throw err;
      const baseRed = await failingOnBase(ctx, options.tolerateBase, failed, spec);
      if (!baseRed) throw err;
      return { state: "base_red", sha: spec.commit, tree: checkout.tree, results: err.results, baseRed };
    }
  } catch (err) {
    // A check that could not run here (environment) did not pass either: the change is kept all the same.
    if (err instanceof JobFailure && (err.failureClass === "checks_failed" || err.failureClass === "environment") && options.keptOn) {
      throw new JobFailure(err.failureClass, `${err.message} (the change is kept on ${options.keptOn}; no PR was opened)`, err.evidence);
    }
    throw err;
  } finally {
    removeCheckout(checkout);
  }
}
