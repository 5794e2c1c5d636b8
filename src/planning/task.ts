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
});
export type Task = z.infer<typeof Task>;
