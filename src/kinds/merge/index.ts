import { MergeOutcome } from "../../prs/pr-types.ts";
import { defineKind } from "../common/define-kind.ts";
import { MergeInput } from "./merge-input.ts";

/** `merge`: rebase a PR onto the latest base, checks on that exact commit, compare-and-swap of the base ref (SourceControlManager). */
export const mergeKind = defineKind({
  id: "merge",
  summary: "land a PR: rebase, checks on the exact candidate, compare-and-swap of the base branch",
  input: MergeInput,
  result: MergeOutcome,
  createdBy: "server",
  role: "scm",
  network: false,
  handler: async (input, ctx) => (await import("./merge-handler.ts")).mergePr(input, ctx),
  effects(ctx, job, { prs }) {
    prs.mergeTransition(ctx, job);
  },
});
