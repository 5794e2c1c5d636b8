import type { PushpalsConfig } from "../../config/schema.ts";
import { PublishInput } from "../../jobs/kinds.ts";
import type { JobHandler } from "../../workers/handler.ts";
import { githubRemote, publishPr } from "./github-remote.ts";

/** `publish`: the PR's branch and PR on GitHub, run by the SourceControlManager (the only holder of the token). */
export function createPublishHandler(github: PushpalsConfig["github"]): JobHandler {
  return {
    kind: "publish",
    async run(ctx) {
      const input = PublishInput.parse(ctx.job.input);
      const remote = await githubRemote(github);
      return { remote: await publishPr(ctx, remote, input) };
    },
  };
}
