import { z } from "zod";
import type { TaskSuccess } from "../../planning/specialist.ts";
import type { WorkItem } from "../../planning/work-item.ts";

/** What the CI Medic reads of a triage job's result. */
const TriageSummary = z.object({
  commit: z.string(),
  verdict: z.enum(["broken", "flaky", "infrastructure", "passes"]),
  passed: z.number().int(),
  failed: z.number().int(),
  runs: z.array(z.object({ exitCode: z.number().int().nullable(), signal: z.string().nullable(), failureClass: z.string().nullable() })),
});

/**
 * A triage verdict as the item's next state. The reruns are evidence, not a fix: a broken or flaky
 * check asks a person (the culprit's revert and the quarantine are the CI Medic's next steps, not yet
 * built), trouble of the machine or setup is `unrelated_state`. All reruns passing after the red run
 * that filed the item is flaky too: it failed once.
 */
export function triageVerdictOf(item: WorkItem, result: unknown): TaskSuccess {
  const parsed = TriageSummary.safeParse(result);
  if (!parsed.success) return { escalation: "stopped", question: "Its triage returned no verdict PushPals can read: look at the job's logs, then answer to try again, or drop it?" };
  const { verdict, passed, failed, commit, runs } = parsed.data;
  const at = commit.slice(0, 12);
  const check = String(item.detail.check);
  const total = passed + failed;
  if (verdict === "infrastructure") {
    const why = runs.find((r) => r.failureClass)?.failureClass ?? "environment";
    return { escalation: "unrelated_state", question: `${check}'s reruns on ${at} could not run (${why}): the machine or its setup, not the code. Fix it (pushpals doctor says what), then answer to triage again, or drop it?` };
  }
  if (verdict === "broken") {
    const exit = runs[0]?.failureClass === "timeout" ? "it ran past its time limit" : (runs[0]?.signal ?? `exit ${runs[0]?.exitCode ?? "?"}`);
    return { escalation: "stopped", question: `${check} is broken on ${at}: it failed ${failed} of ${total} reruns the same way (${exit}). Fix it, or revert the commit that broke it (first red: ${String(item.detail.firstRedCommit).slice(0, 12)}), then answer; or drop it?` };
  }
  const flakes = verdict === "passes" ? `passed all ${total} reruns after the red run that filed this item` : `failed ${failed} of ${total} reruns`;
  return { escalation: "stopped", question: `${check} is flaky on ${at}: it ${flakes}. Fix the test or quarantine it, then answer; or drop it?` };
}
