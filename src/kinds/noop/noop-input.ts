import { z } from "zod";

/** Diagnostic kind: proves the whole pipeline (claim, heartbeat, logs, complete) without touching git. */
export const NoopInput = z.strictObject({
  sleepMs: z.number().int().nonnegative().max(600_000).default(0),
  logLines: z.number().int().nonnegative().max(100_000).default(0),
});
export type NoopInput = z.infer<typeof NoopInput>;

