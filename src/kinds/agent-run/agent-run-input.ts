import { z } from "zod";
import { ID_PATTERN } from "../../core/ids.ts";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";
import { PrProposal } from "../../prs/pr-types.ts";

/**
 * `agent-run` (#19): a task no deterministic recipe covers, carried out by the built-in agent loop (the
 * model proposes one shell command, it runs in the sandbox with no network, its bounded output goes back,
 * until the model submits), then the normal scoped commit, checks and PR. Built by the server only (the
 * RemoteAgent's dispatch): the model, its key and the budgets are the worker's own config, never this input.
 */
export const AgentRunInput = z.strictObject({
  title: z.string().min(1).max(200),
  /** The task in the vision's format (Goal / Constraints / Risk tier / Definition of done / Notes): what the model is asked. */
  task: z.string().min(1).max(20_000),
  scope: z.array(z.string().min(1).max(512)).min(1).max(64),
  risk: RiskTier.default("low"),
  role: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/).default("codemod"),
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
  /** Each command the model runs, at most. */
  commandTimeoutSeconds: z.number().int().positive().max(3600).default(120),
  maxFileBytes: z.number().int().positive().max(1024 * 1024 * 1024).default(1024 * 1024),
  rfcFor: z.string().regex(ID_PATTERN).nullable().default(null),
  rfc: z.number().int().positive().nullable().default(null),
  /**
   * A specialist's definition of done, enforced on the committed change before any PR opens: `bug_fix` (a test
   * that fails on the base without the fix, passing with it), `refactor` (no test changed, checks green, a
   * measured payoff), `performance` (the committed benchmarks better beyond noise, before and after in this job).
   */
  mode: z.enum(["task", "bug_fix", "refactor", "performance"]).default("task"),
}).refine((input) => input.risk !== "high" || input.rfc !== null, {
  message: "a High-risk change needs the merged RFC it carries out (rfc: its PR number) before any model runs",
  path: ["rfc"],
});
export type AgentRunInput = z.infer<typeof AgentRunInput>;

export const AgentRunResult = z.object({
  pr: PrProposal,
  steps: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  model: z.string(),
});
export type AgentRunResult = z.input<typeof AgentRunResult>;
