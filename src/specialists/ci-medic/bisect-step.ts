import { z } from "zod";
import { PushpalsError } from "../../core/errors.ts";
import type { TaskSuccess } from "../../planning/specialist.ts";
import type { Task } from "../../planning/task.ts";
import type { WorkItem } from "../../planning/work-item.ts";
import { medicDetail } from "./medic-steps.ts";
import { COMMAND_TIMEOUT_SECONDS, redCheck } from "./triage-step.ts";

export const BISECT_STEPS = 8;

interface BisectPlan {
  good: string;
  bad: string;
  testId: string | null;
}

function plan(item: WorkItem): BisectPlan {
  const { good, bad, testId } = medicDetail<Partial<BisectPlan>>(item);
  if (typeof good !== "string" || typeof bad !== "string") throw new PushpalsError("invalid_input", `work item ${item.id} names no good and bad commit to bisect between`, { hint: "its triage sets them; answer the item to triage again" });
  return { good, bad, testId: typeof testId === "string" ? testId : null };
}

export function bisectTask(item: WorkItem, specialist: string): Task {
  const { check, command, branch } = redCheck(item);
  const { good, bad, testId } = plan(item);
  return {
    goal: `name the commit of ${branch} that broke ${check}`,
    constraints: { scope: [], timeBudgetSeconds: (BISECT_STEPS + 1) * COMMAND_TIMEOUT_SECONDS, style: null },
    risk: "low",
    definitionOfDone: [
      `\`${command}\` run on ${bad.slice(0, 12)} to confirm it fails, then at most ${BISECT_STEPS} bisection steps between ${good.slice(0, 12)} (the last green) and it`,
      testId ? `each step judged by the test ${testId}` : "each step judged by the check's exit code",
      "the culprit named with every step's evidence, or the range it narrowed to; nothing in the repository changed",
    ],
    notes: [`work item ${item.id} (${item.source})`],
    specialist,
    kind: "bisect",
  };
}

export function bisectInput(item: WorkItem): unknown {
  const { check, command, branch } = redCheck(item);
  const { good, bad, testId } = plan(item);
  return { branch, good, bad, check: { name: check, run: command }, testId, maxSteps: BISECT_STEPS, commandTimeoutSeconds: COMMAND_TIMEOUT_SECONDS };
}

const BisectSummary = z.object({
  verdict: z.enum(["found", "narrowed", "not_reproduced", "unconfirmed"]),
  good: z.string(),
  bad: z.string(),
  check: z.string(),
  testId: z.string().nullable(),
  candidates: z.number().int(),
  culprit: z.string().nullable(),
  culpritSubject: z.string().nullable(),
  culpritAuthor: z.string().nullable(),
  culpritParents: z.array(z.string()).default([]),
  culpritFiles: z.array(z.string()).default([]),
  narrowedTo: z.object({ first: z.string(), last: z.string(), commits: z.number().int() }).nullable(),
  steps: z.array(z.object({ commit: z.string(), kind: z.string(), outcome: z.string(), exitCode: z.number().int().nullable(), signal: z.string().nullable(), durationMs: z.number().int(), testStatus: z.string().nullable() })),
});
export type BisectSummary = z.infer<typeof BisectSummary>;

/** A found culprit is reverted by a PR (the next step); anything the search could not settle asks a person with the range. */
export function bisectOutcome(item: WorkItem, result: unknown): TaskSuccess {
  const parsed = BisectSummary.safeParse(result);
  if (!parsed.success) return { escalation: "stopped", question: "Its bisection returned no result PushPals can read: look at the job's logs, then answer to try again, or drop it?" };
  const bisect = parsed.data;
  const check = bisect.check;
  if (bisect.verdict === "found" && bisect.culprit) {
    const job = String(item.detail.job ?? "?");
    return { next: `${bisect.culprit.slice(0, 12)} (${JSON.stringify(bisect.culpritSubject ?? "")}) broke ${check}: its revert is proposed`, detail: { medic: { step: "revert", bisect: { ...bisect, jobId: job } } } };
  }
  if (bisect.verdict === "not_reproduced") return { done: `${check} passes on ${bisect.bad.slice(0, 12)} now (the bisection's first run): nothing to revert` };
  if (bisect.verdict === "narrowed" && bisect.narrowedTo) {
    const { first, last, commits } = bisect.narrowedTo;
    return { escalation: "stopped", question: `${check} broke in one of ${commits} commits, ${first.slice(0, 12)}..${last.slice(0, 12)} (both included), after ${bisect.steps.length} runs: look at them (git log ${first.slice(0, 12)}^..${last.slice(0, 12)}), fix or revert the culprit, then answer; or drop it?` };
  }
  return { escalation: "unrelated_state", question: `The bisection could not confirm that ${check} fails on ${bisect.bad.slice(0, 12)} (it timed out or could not run there): the machine or its setup. Fix it (pushpals doctor), then answer to try again; or drop it?` };
}
