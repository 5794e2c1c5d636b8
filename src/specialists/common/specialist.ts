import { z } from "zod";

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
