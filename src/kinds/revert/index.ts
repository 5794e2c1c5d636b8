import { defineKind } from "../common/define-kind.ts";
import { RevertInput, RevertResult } from "./revert-input.ts";

/** `pushpals revert <pr>`: undo what a merged PR landed, as a new PR through the same checks, review and gate as any change. */
export const revertKind = defineKind({
  id: "revert",
  summary: "revert what a merged PR landed, proposed as a new checked PR",
  input: RevertInput,
  result: RevertResult,
  createdBy: "server",
  role: "worker",
  network: false,
  handler: async (input, ctx) => (await import("./revert-handler.ts")).revertPr(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.open(ctx, job);
  },
});
