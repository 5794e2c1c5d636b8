import { z } from "zod";
import { RemotePr } from "../../prs/pr-types.ts";
import { publishPr } from "../../providers/common/publish.ts";
import { JobFailure } from "../../core/job-failure.ts";
import { defineKind } from "../common/define-kind.ts";
import { connectRemote } from "../common/remote-provider.ts";
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
  async handler(input, ctx) {
    const id = input.provider ?? ctx.config.pr.provider;
    const remote = await connectRemote(ctx, id);
    if (!remote) throw new JobFailure("invalid_input", `pr.provider "${id}" keeps PRs in PushPals only: there is nothing to publish`);
    return { remote: await publishPr(id, remote, ctx.paths.repoRoot, input, (line) => ctx.log("system", line)) };
  },
  effects(ctx, job, { prs }) {
    if (job.state === "succeeded") prs.published(ctx, job);
  },
});
