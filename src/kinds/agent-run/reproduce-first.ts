import { JobFailure } from "../../core/job-failure.ts";
import type { PrProposal } from "../../prs/pr-types.ts";
import { git } from "../../scm/git.ts";
import { hostGit, removeCheckout } from "../../scm/worktree.ts";
import type { ChecksAtBase } from "../common/checks-at-base.ts";
import type { JobContext } from "../common/job-context.ts";
import { prepareWorktreeDependencies } from "../common/job-dependencies.ts";
import { jobCheckout } from "../common/job-worktree.ts";
import { ChecksFailed, runChecks } from "../common/run-checks.ts";
import { isTestFile } from "./test-files.ts";


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
  const tests = proposal.files.filter((f) => f.status !== "deleted" && isTestFile(f.path)).map((f) => f.path);
  if (tests.length === 0) {
    throw new JobFailure("checks_failed", "a bug fix needs a test that fails without the fix, and the change adds or changes none: no PR without the failing-then-passing evidence", { notRetryable: "no test in the change" });
  }
  if (checks.commands.length === 0) throw new JobFailure("invalid_input", "no checks are configured, so nothing can show the bug reproduced", { notRetryable: "no checks configured" });
  ctx.log("system", `reproduce first: the base ${baseCommit.slice(0, 12)} with only ${tests.join(", ")} from the fix`);
  // The same checkout name as the fix's checks: a test cannot tell the two runs apart by their path.
  const checkout = await jobCheckout(ctx, baseCommit, "checks");
  try {
    await git(["checkout", proposal.headSha, "--", ...tests.map((t) => `:(literal)${t}`)], hostGit(checkout));
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, checks.install);
    try {
      await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, { commit: baseCommit, commands: checks.commands, timeoutSeconds: checks.timeoutSeconds });
    } catch (err) {
      if (!(err instanceof ChecksFailed) || err.failureClass !== "checks_failed") throw err;
      // A failure that says nothing of a test (killed, over the output cap, out of memory) is no reproduction.
      const failed = err.results
        .filter((r) => r.exitCode !== 0 && r.exitCode !== null && r.signal === null && !r.waived)
        .map((r) => ({ name: r.name, exitCode: r.exitCode, failedTests: (r.tests?.outcomes ?? []).filter((t) => t.status === "failed").map((t) => t.id) }));
      if (failed.length === 0) throw new JobFailure("checks_failed", "the checks did not run to a failure on the base with the new test(s) (killed, or over a limit): no reproduction", { notRetryable: "no reproduction" });
      const proof = provenTests(failed, proposal);
      if (proof === null) {
        throw new JobFailure("checks_failed", `no test that failed on the base with ${tests.join(", ")} passes with the fix: the failure there is not the bug's (a file that does not load, another check), so there is no evidence the change fixes it`, { notRetryable: "the failure is not reproduced by a test the fix passes" });
      }
      ctx.log("system", `reproduce first: reproduced: ${failed.map((f) => `${f.name} exit ${f.exitCode}`).join(", ")} on the base with the new test(s)${proof.length ? `; failing there and passing with the fix: ${proof.join(", ").slice(0, 500)}` : ""}`);
      return { tests, failed: failed.map((f) => ({ ...f, failedTests: f.failedTests.filter((id) => proof.includes(id)).slice(0, 20) })) };
    }
    throw new JobFailure("checks_failed", `the new test(s) ${tests.join(", ")} pass on the base without the fix: they do not reproduce the bug, so there is no evidence the change fixes it`, { notRetryable: "the test does not reproduce the bug" });
  } finally {
    removeCheckout(checkout);
  }
}

/**
 * The tests that failed on the base with the new tests and pass with the fix, when the checks' reports say
 * which (null: none does, so the base's failure is not the bug's); without reports, the exit codes alone
 * decide ([]: the weaker evidence, said in the PR as it is).
 */
function provenTests(failed: Reproduction["failed"], proposal: PrProposal): string[] | null {
  const reported = failed.some((f) => f.failedTests.length > 0) || proposal.checks.results.some((r) => r.tests);
  if (!reported) return [];
  const passing = new Set(proposal.checks.results.flatMap((r) => (r.tests?.outcomes ?? []).filter((t) => t.status === "passed").map((t) => `${r.name}\u0000${t.id}`)));
  const proven = failed.flatMap((f) => f.failedTests.filter((id) => passing.has(`${f.name}\u0000${id}`)));
  return proven.length > 0 ? proven : null;
}

/** An inline-code span of anyone's text (a test's name): one line, no backquote, no mention, bounded. */
function code(text: string): string {
  return `\`${text.replace(/[\r\n`]+/g, " ").replace(/@/g, "@\u200b").slice(0, 200)}\``;
}

/** The PR's evidence section. */
export function reproductionNote(r: Reproduction, baseCommit: string): string {
  const how = r.failed.map((f) => `${code(f.name)} exited ${f.exitCode ?? "killed"}${f.failedTests.length ? ` (failing there, passing with the fix: ${f.failedTests.map(code).join(", ")})` : ""}`).join("; ");
  return `Reproduced first: with only ${r.tests.map(code).join(", ")} applied to the base ${baseCommit.slice(0, 12)}, ${how}; with the fix, every configured check passes on the exact commit.`;
}
