import { z } from "zod";
import type { RiskTier } from "../core/risk-tier.ts";
import type { Task } from "./task.ts";
import type { Escalation, WorkItem } from "./work-item.ts";

/**
 * A specialist WorkerPal's declaration in the capability registry: the item types it takes, the job
 * kinds it runs them as, its policy role (its write scope is that role's `[roles]` scope), whether it
 * needs a model, and its limits.
 */
export const Specialist = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/),
  name: z.string(),
  version: z.string(),
  itemTypes: z.array(z.string()).min(1),
  /**
   * When set, it takes an item of its types only when the item carries one of these labels (case-insensitive):
   * the Bug Fixer takes issues labelled bug, the Refactorer refactor. Unset: every item of its types.
   */
  labels: z.array(z.string().min(1)).min(1).optional(),
  kinds: z.array(z.string()).min(1),
  role: z.string(),
  needsModel: z.boolean(),
  limits: z.strictObject({
    /** Items of this specialist in flight at once. */
    concurrent: z.number().int().min(1),
    dispatchesPerHour: z.number().int().min(1),
    dispatchesPerDay: z.number().int().min(1),
  }),
});
export type Specialist = z.infer<typeof Specialist>;

/** Where a dispatched task's job starts: the base branch and the exact commit. */
export interface DispatchBase {
  baseBranch: string;
  baseCommit: string;
}

/**
 * A part a failed task is re-scoped or split into, or a task a planner wrote: its title, write scope and
 * what its recipe reads; a planned one also its labels (which specialist takes it), notes and proposed tier
 * (never below the item's own).
 */
export interface TaskPart {
  title: string;
  scope: string[];
  detail: Record<string, unknown>;
  labels?: string[];
  notes?: string | null;
  risk?: RiskTier;
}

/**
 * What a task's job that succeeded without a PR means for its item: done, a question for a person, or
 * (`next`) a further step of the same item (the CI Medic's triage, then its bisection, then the revert):
 * the item opens again with `detail` merged into its own, and the specialist's recipe reads the step there;
 * or (`plan`) the tasks a planner wrote for it.
 */
export type TaskSuccess =
  | { done: string }
  | { escalation: Escalation; question: string }
  | { next: string; detail: Record<string, unknown> }
  /** A planner's tasks: one becomes the item itself, several become new items; each is classified at its own selection. */
  | { plan: TaskPart[]; why: string };

/**
 * A specialist as a plug-in (`src/specialists/<id>/`): its declaration, its deterministic recipe
 * (the item as its task; `invalid_input` when the item lacks what the recipe needs), the task as
 * its kind's job input, and, for a job that succeeds without opening a PR, what that means.
 */
/** What the server knows that a task's outcome may depend on: whether `[models]` names a provider. */
export interface TaskContext {
  modelReady?: boolean;
}

export interface SpecialistPlugin {
  spec: Specialist;
  task(item: WorkItem): Task;
  jobInput(item: WorkItem, task: Task, base: DispatchBase): unknown;
  onSuccess?(item: WorkItem, result: unknown, context?: TaskContext): TaskSuccess;
  /**
   * After its task failed (not for the machine's state or a policy refusal), the parts it should be
   * tried again as, once: one part re-scopes the item, several split it; null when it cannot (the
   * Codemod Runner cannot: its command's changes are all or nothing).
   */
  split?(item: WorkItem, failure: { class: string; message: string }): TaskPart[] | null;
  /**
   * Why the item must not be dispatched at `now` onto `baseBranch` (null: not known) though nothing else
   * holds it (the Dependency Steward's schedule, a scan of another branch), or null.
   */
  hold?(item: WorkItem, now: number, baseBranch: string | null): string | null;
}

/** Whether the specialist takes the item: its type, and one of its labels when it names some. */
export function takes(spec: Specialist, item: Pick<WorkItem, "type" | "labels">): boolean {
  if (!spec.itemTypes.includes(item.type)) return false;
  if (!spec.labels) return true;
  const labels = new Set(item.labels.map((l) => l.toLowerCase()));
  return spec.labels.some((l) => labels.has(l.toLowerCase()));
}

/** The plug-in that takes the item, first registered first. */
export function specialistFor(item: Pick<WorkItem, "type" | "labels">, plugins: readonly SpecialistPlugin[]): SpecialistPlugin | null {
  return plugins.find((p) => takes(p.spec, item)) ?? null;
}
