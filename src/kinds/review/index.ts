import { ReviewOutcome } from "../../prs/pr-types.ts";
import { defineKind } from "../common/define-kind.ts";
import { ReviewJobInput } from "./review-input.ts";

/** `review`: the ReviewAgent classifies a PR head's exact diff and runs the deterministic reviewers under the base's policy. */
export const reviewKind = defineKind({
  id: "review",
  summary: "classify a PR head's exact diff and review it under the policy of its base",
  input: ReviewJobInput,
  result: ReviewOutcome,
  createdBy: "server",
  role: "review-agent",
  network: false,
  handler: async (input, ctx) => (await import("./review-handler.ts")).reviewPr(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.reviewed(ctx, job);
  },
});
