import { defineKind } from "../common/define-kind.ts";
import { AgentRunInput, AgentRunResult } from "./agent-run-input.ts";

/**
 * `agent-run`: the built-in agent loop for a task no recipe covers (#19). The model is called by the
 * worker host-side (its key never enters the sandbox); every command it proposes runs in the sandbox with
 * no network; budgets and loop rules end the job with their own class; the change goes through the same
 * scoped commit, checks, review and gates as any other.
 */
export const agentRunKind = defineKind({
  id: "agent-run",
  summary: "carry out a task with the configured model: one sandboxed command per step, then the scoped commit, checks and a PR",
  input: AgentRunInput,
  result: AgentRunResult,
  createdBy: "server",
  role: "worker",
  network: false,
  handler: async (input, ctx) => (await import("./agent-run-handler.ts")).runAgent(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
