import { JobFailure } from "../../core/job-failure.ts";
import { globMatcher } from "../../policy/policy-glob.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { DEFAULT_TEST_GLOBS } from "../../review/review-types.ts";
import { git } from "../../scm/git.ts";
import { hostGit, removeCheckout } from "../../scm/worktree.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { ChecksFailed, runChecks } from "../common/run-checks.ts";

const isTest = globMatcher(DEFAULT_TEST_GLOBS);

/** What the reproduction showed: the tests that carry it, and how the checks failed on the base with only them. */
export interface Reproduction {
  tests: string[];
  failed: { name: string; exitCode: number | null; failedTests: string[] }[];
}

/**
 * A bug fix's definition of done, in code: its change adds or changes a test, and the configured checks
 * FAIL on the base with only those test files applied (taken from the committed change, never from the
 * worktree a model's commands wrote), while they pass on the whole change (proposeChange checked that).
 * Anything else is no evidence: the job fails and no PR opens (the commit stays kept on its branch).
 */
export async function reproduceFirst(ctx: JobContext, proposal: PrProposal, baseCommit: string, checks: ChecksAtBase): Promise<Reproduction> {
  const tests = proposal.files.filter((f) => f.status !== "deleted" && isTest(f.path)).map((f) => f.path);
  if (tests.length === 0) {
    throw new JobFailure("checks_failed", "a bug fix needs a test that fails without the fix, and the change adds or changes none: no PR without the failing-then-passing evidence", { notRetryable: "no test in the change" });
  }
  if (checks.commands.length === 0) throw new JobFailure("invalid_input", "no checks are configured, so nothing can show the bug reproduced", { notRetryable: "no checks configured" });
  ctx.log("system", `reproduce first: the base ${baseCommit.slice(0, 12)} with only ${tests.join(", ")} from the fix`);
  const checkout = await jobCheckout(ctx, baseCommit, "repro");
  try {
    await git(["checkout", proposal.headSha, "--", ...tests.map((t) => `:(literal)${t}`)], hostGit(checkout));
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, checks.install);
    try {
      await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, { commit: baseCommit, commands: checks.commands, timeoutSeconds: checks.timeoutSeconds });
    } catch (err) {
      if (!(err instanceof ChecksFailed) || err.failureClass !== "checks_failed") throw err;
      const failed = err.results
        .filter((r) => r.exitCode !== 0 && !r.waived)
        .map((r) => ({ name: r.name, exitCode: r.exitCode, failedTests: (r.tests?.outcomes ?? []).filter((t) => t.status === "failed" || t.status === "errored").map((t) => t.id).slice(0, 20) }));
      ctx.log("system", `reproduce first: reproduced: ${failed.map((f) => `${f.name} exit ${f.exitCode}`).join(", ")} on the base with the new test(s)`);
      return { tests, failed };
    }
    throw new JobFailure("checks_failed", `the new test(s) ${tests.join(", ")} pass on the base without the fix: they do not reproduce the bug, so there is no evidence the change fixes it`, { notRetryable: "the test does not reproduce the bug" });
  } finally {
    removeCheckout(checkout);
  }
}

/** The PR's evidence section. */
export function reproductionNote(r: Reproduction, baseCommit: string): string {
  const how = r.failed.map((f) => `\`${f.name}\` exited ${f.exitCode ?? "killed"}${f.failedTests.length ? ` (failing: ${f.failedTests.join(", ")})` : ""}`).join("; ");
  return `Reproduced first: with only ${r.tests.map((t) => `\`${t}\``).join(", ")} applied to the base ${baseCommit.slice(0, 12)}, ${how}; with the fix, every configured check passes on the exact commit.`;
}
