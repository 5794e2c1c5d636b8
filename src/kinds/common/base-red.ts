import type { BaseRed } from "../../core/checks-state.ts";
import type { CheckOutcome } from "../../prs/pr-types.ts";
import { removeCheckout } from "../../scm/worktree.ts";
import type { InstallSettings } from "../../config/check-settings.ts";
import { prepareWorktreeDependencies } from "./job-dependencies.ts";
import type { JobContext } from "./job-context.ts";
import { jobCheckout } from "./job-worktree.ts";
import { ChecksFailed, runChecks } from "./run-checks.ts";

/**
 * Whether every check that failed on a change fails on its base the same way (same exit code, and with
 * both test reports read, no test failing that passes on the base): then
 * the change adds no failure and the base is red. Only the failed checks run, in a fresh checkout of
 * the base with its own dependencies. Null when any of them passes on the base, or cannot be judged
 * there: then the failures are the change's.
 */
export async function failingOnBase(
  ctx: JobContext,
  base: string,
  failed: CheckOutcome[],
  spec: { commands: { name: string; run: string; report?: string }[]; timeoutSeconds: number; install?: InstallSettings },
): Promise<BaseRed | null> {
  ctx.log("system", `${failed.map((c) => c.name).join(", ")} failed: running ${failed.length === 1 ? "it" : "them"} on the base ${base.slice(0, 12)} to see whether the base is red already`);
  const checkout = await jobCheckout(ctx, base, "base");
  try {
    const dependencies = await prepareWorktreeDependencies(ctx, checkout.dir, spec.install);
    // As configured (its report path too), so the base's run is judged the way the change's was.
    const commands = failed.map((c) => spec.commands.find((s) => s.name === c.name && s.run === c.run) ?? { name: c.name, run: c.run });
    let onBase: CheckOutcome[];
    try {
      onBase = (await runChecks(ctx, { dir: checkout.dir, mounts: dependencies?.mounts ?? [], tools: dependencies?.tools }, { commit: base, commands, timeoutSeconds: spec.timeoutSeconds })).checks;
    } catch (err) {
      if (!(err instanceof ChecksFailed) || err.failureClass !== "checks_failed") return null;
      onBase = err.results;
    }
    // A check killed by a signal (memory, output cap) says nothing about how it failed: never "the same way".
    // With both reports read, the same way means test by test too: a test failing only on the change is the change's.
    const same = failed.every((head) => head.exitCode !== null && onBase.some((b) => b.run === head.run && b.exitCode === head.exitCode && b.signal === head.signal && sameTests(head, b)));
    if (!same) {
      ctx.log("system", `not all of them fail on the base the same way: the failures are this change's`);
      return null;
    }
    ctx.log("system", `the base ${base.slice(0, 12)} is red: ${failed.map((c) => c.name).join(", ")} fail${failed.length === 1 ? "s" : ""} there the same way, so this change adds no failure`);
    return { sha: base, checks: failed.map((c) => c.name) };
  } finally {
    removeCheckout(checkout);
  }
}

/** The change's failed tests are all failed on the base too (when both runs' reports were read; else the exit code alone decides). */
function sameTests(head: CheckOutcome, base: CheckOutcome): boolean {
  if (!head.tests || !base.tests) return true;
  const onBase = new Set(base.tests.outcomes.filter((t) => t.status === "failed" || t.status === "errored").map((t) => t.id));
  return head.tests.outcomes.every((t) => (t.status !== "failed" && t.status !== "errored") || onBase.has(t.id));
}
