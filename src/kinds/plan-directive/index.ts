import { defineKind } from "../common/define-kind.ts";
import { PlanDirectiveInput, PlanDirectiveResult } from "./plan-directive-input.ts";

/**
 * `plan-directive`: the model-backed planner for a directive no recipe covers (#19): the directive as
 * tasks in the vision's format, each with its write scope, for the policy to classify. Writes nothing.
 */
export const planDirectiveKind = defineKind({
  id: "plan-directive",
  summary: "write a directive as tasks in the vision's format with the configured model, for the policy to classify; changes nothing",
  input: PlanDirectiveInput,
  result: PlanDirectiveResult,
  createdBy: "server",
  role: "worker",
  network: false,
  handler: async (input, ctx) => (await import("./plan-directive-handler.ts")).planDirective(input, ctx),
});
