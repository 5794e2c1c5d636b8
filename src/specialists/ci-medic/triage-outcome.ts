import { z } from "zod";
import type { TaskContext, TaskSuccess } from "../../planning/specialist.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { brokenTests, flakyTests, MAX_QUARANTINE_PER_PR } from "./flaky-evidence.ts";
import { isLintLike } from "./medic-steps.ts";

/** What the CI Medic reads of a triage job's result. */
const TriageSummary = z.object({
  commit: z.string(),
  verdict: z.enum(["broken", "flaky", "infrastructure", "passes"]),
  passed: z.number().int(),
  failed: z.number().int(),
  runs: z.array(
    z.object({
      exitCode: z.number().int().nullable(),
      signal: z.string().nullable(),
      failureClass: z.string().nullable(),
      logExcerpt: z.string().default(""),
      reportRead: z.boolean().default(false),
      failedTests: z.array(z.string()).default([]),
    }),
  ),
});

/**
 * A triage verdict as the item's next step. The machine's or setup's trouble (a timeout, an
 * `environment` failure) is reported and nothing is changed. Flaky tests named by their reports (the
 * red run's failures passing on a rerun) go to a quarantine PR; a broken lint or format check to the
 * repository's fixer; any other broken check to a bisection from the last green commit, or, with none
 * known and a model configured, to the model (model-fix-step.ts). Whatever the evidence cannot carry
 * further asks a person, with the evidence.
 */
export function triageVerdictOf(item: WorkItem, result: unknown, jobId = "?", context: TaskContext = {}): TaskSuccess {
  const parsed = TriageSummary.safeParse(result);
  if (!parsed.success) return { escalation: "stopped", question: "Its triage returned no verdict PushPals can read: look at the job's logs, then answer to try again, or drop it?" };
  const { verdict, passed, failed, commit, runs } = parsed.data;
  const at = commit.slice(0, 12);
  const check = String(item.detail.check);
  const total = passed + failed;
  const triage = { job: jobId, commit, verdict, passed, failed };
  if (verdict === "infrastructure") {
    const why = runs.find((r) => r.failureClass)?.failureClass ?? "environment";
    const what = why === "timeout" ? "ran past its time limit" : "could not run (environment)";
    return { escalation: "unrelated_state", question: `${check}'s rerun on ${at} ${what}: the machine or its setup, not the code, so nothing was changed. Fix it (pushpals doctor says what; raise checks.timeout_seconds if the check needs longer), then answer to triage again, or drop it?` };
  }
  if (verdict === "broken") {
    const exit = runs[0]?.signal ?? `exit ${runs[0]?.exitCode ?? "?"}`;
    const broken = brokenTests(runs);
    const lastGreen = typeof item.detail.lastGreenCommit === "string" ? item.detail.lastGreenCommit : null;
    const bisect = lastGreen && lastGreen !== commit ? { good: lastGreen, bad: commit, testId: broken.length === 1 ? broken[0] : null } : {};
    if (isLintLike(check, String(item.detail.command ?? ""))) {
      return { next: `${check} is broken on ${at} (${failed} of ${total} reruns): its fixer is tried`, detail: { medic: { step: "fix", triage, logExcerpt: runs[0]?.logExcerpt ?? "", ...bisect } } };
    }
    if (lastGreen && lastGreen !== commit) {
      return { next: `${check} is broken on ${at} (${failed} of ${total} reruns): bisecting from ${lastGreen.slice(0, 12)}`, detail: { medic: { step: "bisect", triage, ...bisect } } };
    }
    if (context.modelReady) {
      return { next: `${check} is broken on ${at} (${failed} of ${total} reruns) and no green commit is known to bisect from: the model is asked for a fix`, detail: { medic: { step: "model_fix", triage, failedTests: broken.slice(0, 20), logExcerpt: runs[0]?.logExcerpt ?? "" } } };
    }
    return { escalation: "stopped", question: `${check} is broken on ${at}: it failed ${failed} of ${total} reruns the same way (${exit})${broken.length ? `; failing tests: ${broken.slice(0, 5).join(", ")}` : ""}. No green commit of ${String(item.detail.branch)} is known to bisect from: fix it, or revert the commit that broke it (first red: ${String(item.detail.firstRedCommit).slice(0, 12)}), then answer; or drop it?` };
  }
  const redRun = Array.isArray(item.detail.failedTests) ? (item.detail.failedTests as string[]) : null;
  const flaky = flakyTests(redRun, runs);
  const flakes = verdict === "passes" ? `passed all ${total} reruns after the red run that filed this item` : `failed ${failed} of ${total} reruns`;
  if (flaky.length === 0) {
    return { escalation: "stopped", question: `${check} is flaky on ${at}: it ${flakes}, but no test report names the test (configure \`report\` for the check in .pushpals/config.toml so PushPals can quarantine it). Fix the test, then answer; or drop it?` };
  }
  if (flaky.length > MAX_QUARANTINE_PER_PR) {
    return { escalation: "stopped", question: `${check} is flaky on ${at}: ${flaky.length} tests failed on some runs and passed on others, more than the ${MAX_QUARANTINE_PER_PR} one quarantine may take: that is a broken build or machine, not flaky tests. Look at ${flaky.slice(0, 5).map((t) => t.id).join(", ")}, then answer; or drop it?` };
  }
  return { next: `${check} is flaky on ${at}: it ${flakes}; ${flaky.map((t) => t.id).join(", ").slice(0, 500)} to be quarantined`, detail: { medic: { step: "quarantine", triage, tests: flaky } } };
}
