import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";

/** A CTO directive (`pushpals ask`): planned by the RemoteAgent; blocked until a worker can act on it. */
export const DirectiveInput = z.strictObject({
  goal: z.string().min(1).max(4000),
  risk: RiskTier.nullable().default(null),
  scope: z.array(z.string().min(1).max(512)).max(64).default([]),
  done: z.string().max(4000).nullable().default(null),
  constraints: z.string().max(4000).nullable().default(null),
});
export type DirectiveInput = z.infer<typeof DirectiveInput>;

