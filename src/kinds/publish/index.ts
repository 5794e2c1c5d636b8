import { z } from "zod";
import { RemotePr } from "../../prs/pr-types.ts";
import { defineKind } from "../common/define-kind.ts";
import { PublishInput } from "./publish-input.ts";

/** `publish`: a PR's head pushed to the remote provider and its PR opened or updated there (SourceControlManager, the only holder of the token). */
export const publishKind = defineKind({
  id: "publish",
  summary: "push a PR's head to the remote provider and open or update its PR there",
  input: PublishInput,
  result: z.object({ remote: RemotePr }),
  createdBy: "server",
  role: "scm",
  network: false,
  handler: async (input, ctx) => (await import("./publish-handler.ts")).publishJob(input, ctx),
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.published(ctx, job);
  },
});
