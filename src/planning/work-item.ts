import { z } from "zod";
import { RiskTier } from "../core/risk-tier.ts";

/**
 * Where work comes from, in the vision's order of precedence: a CTO directive outranks a failing
 * build, which outranks the labelled backlog, then PR follow-ups, then onboarding friction.
 */
export const WorkSource = z.enum(["directive", "failing_build", "backlog", "pr_followup", "onboarding"]);
export type WorkSource = z.infer<typeof WorkSource>;

export const WORK_SOURCES = WorkSource.options;

export function sourcePrecedence(source: WorkSource): number {
  return WORK_SOURCES.indexOf(source);
}

/**
 * open: waiting to be selected; dispatched: a task of it runs; blocked: waiting on a person (its
 * `question`); done: shipped or resolved; dropped: withdrawn by a person.
 */
export const WorkItemState = z.enum(["open", "dispatched", "blocked", "done", "dropped"]);
export type WorkItemState = z.infer<typeof WorkItemState>;

export const ACTIVE_WORK_ITEM_STATES: readonly WorkItemState[] = ["open", "dispatched", "blocked"];

/**
 * Why a blocked item waits on a person: the vision's four cases for stopping to ask (ambiguous
 * user-facing behaviour, a high-risk area without approval, failures from unrelated repository state,
 * a solution against the principles), and `stopped`: the loop's own brake (the same failure twice, a
 * cancelled task, a task past its wall time).
 */
export const Escalation = z.enum(["ambiguous", "high_risk", "unrelated_state", "conflicts_principles", "stopped"]);
export type Escalation = z.infer<typeof Escalation>;

/** One unit of work the RemoteAgent may select; `dedupeKey` is stable, so the same thing seen twice is one item. */
export const WorkItem = z.strictObject({
  id: z.string(),
  dedupeKey: z.string().min(1).max(512),
  source: WorkSource,
  /** What a specialist must be able to take (`directive`, `red_check`, `backlog_task`, `dependency_update`, ...). */
  type: z.string().min(1).max(64),
  title: z.string().min(1).max(300),
  /** Higher first, within a source. */
  priority: z.number().int().min(0).max(100),
  state: WorkItemState,
  /** The risk declared with the item, when it was (the tier classified at selection is `detail.selection`). */
  risk: RiskTier.nullable(),
  /** Paths the item's change may touch, when declared. */
  scope: z.array(z.string()).max(64),
  labels: z.array(z.string().max(64)).max(32),
  notes: z.string().max(4000).nullable(),
  createdBy: z.string(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** The one question a blocked item waits on, and the answer once given. */
  question: z.string().nullable(),
  /** Which case the question is (absent on items stored before escalations had classes). */
  escalation: Escalation.nullable().optional(),
  answer: z.string().nullable(),
  /** Source-specific facts: a directive's job, a red check's first red commit and how often it was seen. */
  detail: z.record(z.string(), z.unknown()),
});
export type WorkItem = z.infer<typeof WorkItem>;
