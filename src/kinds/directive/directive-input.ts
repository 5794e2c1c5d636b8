import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";

/** A CTO directive (`pushpals ask`): planned by the RemoteAgent; blocked until a worker can act on it. */
export const DirectiveInput = z.strictObject({
  goal: z.string().min(1).max(4000),
  risk: RiskTier.nullable().default(null),
  scope: z.array(z.string().min(1).max(512)).max(64).default([]),
  done: z.string().max(4000).nullable().default(null),
  constraints: z.string().max(4000).nullable().default(null),
  /** Which specialist should take it, by label (`refactor`: the Refactorer, `performance`: the Performance Tuner); none: the Agent. */
  labels: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:_ .-]{0,49}$/)).max(8).default([]),
});
export type DirectiveInput = z.infer<typeof DirectiveInput>;

