import { z } from "zod";

/**
 * An event as the store keeps it: its type is a name and its payload JSON. Which types exist and what
 * each payload holds is the events domain's (src/events/registry.ts), which narrows this row.
 */
export const EventRow = z.object({
  seq: z.number().int().positive(),
  type: z.string(),
  at: z.number().int(),
  jobId: z.string().nullable(),
  data: z.unknown(),
});
export type EventRow = z.infer<typeof EventRow>;

export interface NewEventRow {
  type: string;
  jobId: string | null;
  data: unknown;
}
