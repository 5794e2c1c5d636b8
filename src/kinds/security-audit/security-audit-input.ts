import { z } from "zod";
import { Sha } from "../../core/sha.ts";

/** Audit the tree and the settings committed at `baseCommit` (the head of `baseBranch` when it was dispatched). */
export const SecurityAuditInput = z.strictObject({
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
});
export type SecurityAuditInput = z.infer<typeof SecurityAuditInput>;
