import { z } from "zod";

/** The states of a job. Which state may follow which is the transition table in src/jobs/states.ts. */
export const JobState = z.enum([
  "queued",
  "running",
  "retry_wait",
  "blocked",
  "succeeded",
  "failed",
  "cancelled",
]);
export type JobState = z.infer<typeof JobState>;
