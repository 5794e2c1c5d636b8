import { z } from "zod";

/**
 * A commit's checks verdict: every configured check passed; some failed but each of them fails on the
 * base the same way (`base_red`: the change adds no failure, the base is the CI Medic's); some failed;
 * or no checks are configured.
 */
export const ChecksState = z.enum(["passed", "base_red", "failed", "none"]);
export type ChecksState = z.infer<typeof ChecksState>;

/** Which checks fail on the base too, and on which base commit (set with `base_red`). */
export const BaseRed = z.strictObject({ sha: z.string(), checks: z.array(z.string()).max(32) });
export type BaseRed = z.infer<typeof BaseRed>;
