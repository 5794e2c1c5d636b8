import { z } from "zod";
import { RiskTier } from "../../core/risk-tier.ts";
import { Sha } from "../../core/sha.ts";

/**
 * `plan-directive` (#19): the model-backed planner. A directive with no write scope of its own is a goal,
 * not yet a task; the model writes it as at most MAX_PLANNED_TASKS tasks in the vision's format, each with
 * its write scope, which the RemoteAgent's policy then classifies at selection like any other item. It
 * changes no file and runs no command. Built by the server only (the Agent's dispatch).
 */
export const PlanDirectiveInput = z.strictObject({
  title: z.string().min(1).max(300),
  /** The directive in the vision's format, as its author wrote it: the model's data. */
  task: z.string().min(1).max(20_000),
  risk: RiskTier.default("low"),
  baseBranch: z.string().min(1).max(255),
  baseCommit: Sha,
});
export type PlanDirectiveInput = z.infer<typeof PlanDirectiveInput>;

export const MAX_PLANNED_TASKS = 5;

const Glob = z
  .string()
  .min(1)
  .max(200)
  .refine((g) => !g.startsWith("/") && !g.split("/").includes("..") && !/[\u0000-\u001f]/.test(g), "a write scope is a glob relative to the repository root, without ..");

/** One task as the model writes it; `label` hands it to a specialist (refactor: the Refactorer, performance: the Performance Tuner). */
export const PlannedTask = z.object({
  goal: z.string().trim().min(1).max(300),
  scope: z.array(Glob).min(1).max(16),
  risk: RiskTier,
  definition_of_done: z.array(z.string().trim().min(1).max(500)).min(1).max(8),
  constraints: z.string().trim().max(1000).nullable().optional(),
  label: z.enum(["refactor", "performance"]).nullable().optional(),
});
export type PlannedTask = z.infer<typeof PlannedTask>;

export const DirectivePlan = z.object({ tasks: z.array(PlannedTask).min(1).max(MAX_PLANNED_TASKS) });
export type DirectivePlan = z.infer<typeof DirectivePlan>;

export const PlanDirectiveResult = z.object({
  tasks: z.array(PlannedTask).min(1).max(MAX_PLANNED_TASKS),
  model: z.string(),
  tokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
});
export type PlanDirectiveResult = z.infer<typeof PlanDirectiveResult>;
