import { publishPr } from "../../providers/common/publish.ts";
import { JobFailure } from "../../core/job-failure.ts";
import type { JobContext } from "../common/job-context.ts";
import { connectRemote } from "../common/remote-provider.ts";
import type { PublishInput } from "./publish-input.ts";

/** Pushes the PR's head and opens or updates its PR on the remote provider. */
export async function publishJob(input: PublishInput, ctx: JobContext) {
  const id = input.provider ?? ctx.config.pr.provider;
  const remote = await connectRemote(ctx, id);
  if (!remote) throw new JobFailure("invalid_input", `pr.provider "${id}" keeps PRs in PushPals only: there is nothing to publish`);
  return { remote: await publishPr(id, remote, ctx.paths.repoRoot, input, (line) => ctx.log("system", line)) };
}
