import { z } from "zod";
import { RiskTier } from "../core/risk-tier.ts";

/** A task in the vision's format, stored on the item it came from when it is dispatched. */
export const Task = z.object({
  /** The user outcome, not the implementation. */
  goal: z.string(),
  constraints: z.object({ scope: z.array(z.string()), timeBudgetSeconds: z.number().int(), style: z.string().nullable() }),
  risk: RiskTier,
  definitionOfDone: z.array(z.string()),
  notes: z.array(z.string()),
  /** The capability that carries it out and the job kind it runs as. */
  specialist: z.string(),
  kind: z.string(),
  /** The policy role its change is judged as, when not the specialist's own (the CI Medic's revert and fix are ordinary changes). */
  role: z.string().optional(),
});
export type Task = z.infer<typeof Task>;

/** The task as a PR body opens with it: Goal / Constraints / Risk tier / Definition of done / Notes. */
export function taskBody(task: Task): string {
  return [
    `**Goal:** ${task.goal}`,
    `**Constraints:** write scope ${task.constraints.scope.join(", ") || "(none)"}; time budget ${task.constraints.timeBudgetSeconds} s`,
    `**Risk tier:** ${task.risk}`,
    `**Definition of done:**\n${task.definitionOfDone.map((d) => `- ${d}`).join("\n")}`,
    `**Notes:** ${task.notes.join("; ")}`,
  ].join("\n\n");
}
