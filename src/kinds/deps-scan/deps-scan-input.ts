import { z } from "zod";

/** Scan the dependencies of `branch` at `commit` (a commit of that branch, verified before it is queued). */
export const DepsScanInput = z.strictObject({
  branch: z.string().min(1).max(255),
  commit: z.string().regex(/^[0-9a-f]{40}$/, "must be a full commit SHA"),
});
export type DepsScanInput = z.infer<typeof DepsScanInput>;
